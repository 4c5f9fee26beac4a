#include "auditlogpage.h"

#include "auditlogmodel.h"
#include "storeservice.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace {

// The store keeps compact JSON; people read it indented.
QString pretty(const QString &json)
{
    if (json.isEmpty())
        return QObject::tr("(nothing)");
    const auto parsed = nlohmann::ordered_json::parse(json.toStdString(), nullptr, false);
    return parsed.is_discarded() ? json : QString::fromStdString(parsed.dump(2));
}

struct Loaded {
    std::vector<rl::AuditEntry> entries;
    QStringList actors;
    QString error;
};

} // namespace

AuditLogPage::AuditLogPage(const Theme &theme, StoreService *store, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_store(store), m_clock(rl::systemClock())
{
    setObjectName(QStringLiteral("page"));
    m_model = new AuditLogModel(m_theme, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 16);
    layout->setSpacing(8);
    auto *title = new QLabel(tr("Audit log"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    layout->addWidget(title);
    auto *subtitle = new QLabel(tr("Every change made to policies, pushes, budgets, prices, sources and identity "
                                   "mappings: who, when, and the object before and after. Each entry carries the "
                                   "SHA-256 of the one before, so an edited, deleted or reordered entry is found."),
                                this);
    subtitle->setWordWrap(true);
    subtitle->setFont(m_theme.captionFont());
    layout->addWidget(subtitle);

    auto *filters = new QHBoxLayout;
    m_action = new QComboBox(this);
    m_action->setObjectName(QStringLiteral("auditAction"));
    m_action->addItem(tr("Every action"), QString());
    m_action->addItem(tr("Policies (all)"), QStringLiteral("policy."));
    for (const char *action : {"policy.draft_save", "policy.draft_delete", "policy.publish", "policy.rollback",
                               "policy.push", "budget.", "price.", "source.", "identity.mappings"})
        m_action->addItem(QString::fromLatin1(action), QString::fromLatin1(action));
    m_object = new QLineEdit(this);
    m_object->setObjectName(QStringLiteral("auditObject"));
    m_object->setPlaceholderText(tr("Object contains…"));
    m_object->setClearButtonEnabled(true);
    m_actor = new QComboBox(this);
    m_actor->setObjectName(QStringLiteral("auditActor"));
    m_actor->addItem(tr("Anyone"), QString());
    m_from = new QDateEdit(this);
    m_from->setObjectName(QStringLiteral("auditFrom"));
    m_from->setCalendarPopup(true);
    m_from->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_from->setMinimumDate(QDate(2000, 1, 1));
    m_from->setSpecialValueText(tr("from the start"));
    m_from->setDate(m_from->minimumDate());
    m_from->setMinimumWidth(m_from->fontMetrics().horizontalAdvance(m_from->specialValueText()) + 48);
    m_to = new QDateEdit(this);
    m_to->setObjectName(QStringLiteral("auditTo"));
    m_to->setCalendarPopup(true);
    m_to->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_to->setMinimumDate(QDate(2000, 1, 1));
    m_to->setSpecialValueText(tr("until now"));
    m_to->setDate(m_to->minimumDate());
    m_to->setMinimumWidth(m_to->fontMetrics().horizontalAdvance(m_to->specialValueText()) + 48);
    auto *verify = new QPushButton(tr("&Verify the chain"), this);
    verify->setObjectName(QStringLiteral("auditVerify"));
    filters->addWidget(m_action);
    filters->addWidget(m_object, 1);
    filters->addWidget(m_actor);
    filters->addWidget(new QLabel(tr("from"), this));
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("to"), this));
    filters->addWidget(m_to);
    filters->addWidget(verify);
    layout->addLayout(filters);
    m_verdict =
        new QLabel(m_store ? tr("Checking the chain…") : tr("No store is open, so there is no audit log."), this);
    m_verdict->setObjectName(QStringLiteral("auditVerdict"));
    m_verdict->setWordWrap(true);
    layout->addWidget(m_verdict);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(AuditLogModel::SortRole);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AuditLogModel::Seq, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(AuditLogModel::Object, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(AuditLogModel::Time, QHeaderView::ResizeToContents);
    auto *details = new QWidget(splitter);
    auto *detailsLayout = new QHBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    m_before = new QPlainTextEdit(details);
    m_before->setObjectName(QStringLiteral("auditBefore"));
    m_after = new QPlainTextEdit(details);
    m_after->setObjectName(QStringLiteral("auditAfter"));
    for (QPlainTextEdit *edit : {m_before, m_after}) {
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    }
    m_before->setPlaceholderText(tr("Before"));
    m_after->setPlaceholderText(tr("After"));
    auto *beforeColumn = new QVBoxLayout;
    beforeColumn->addWidget(new QLabel(tr("Before"), details));
    beforeColumn->addWidget(m_before);
    auto *afterColumn = new QVBoxLayout;
    afterColumn->addWidget(new QLabel(tr("After"), details));
    afterColumn->addWidget(m_after);
    detailsLayout->addLayout(beforeColumn);
    detailsLayout->addLayout(afterColumn);
    splitter->addWidget(m_table);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_action, &QComboBox::activated, this, &AuditLogPage::reload);
    connect(m_actor, &QComboBox::activated, this, &AuditLogPage::reload);
    connect(m_object, &QLineEdit::editingFinished, this, &AuditLogPage::reload);
    connect(m_from, &QDateEdit::dateChanged, this, &AuditLogPage::reload);
    connect(m_to, &QDateEdit::dateChanged, this, &AuditLogPage::reload);
    connect(verify, &QPushButton::clicked, this, &AuditLogPage::verify);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditLogPage::showDetails);
}

QString AuditLogPage::verdict() const
{
    return m_verdict->text();
}

QString AuditLogPage::detailsText() const
{
    return m_before->toPlainText() + QLatin1Char('\n') + m_after->toPlainText();
}

void AuditLogPage::reload()
{
    if (!m_store)
        return;
    rl::AuditFilter filter;
    filter.action = m_action->currentData().toString().toStdString();
    filter.object = m_object->text().trimmed().toStdString();
    filter.actor = m_actor->currentData().toString().toStdString();
    // Days are cut at UTC midnight here; the page says so in its dates' tooltips.
    if (m_from->date() != m_from->minimumDate())
        filter.fromMs = QDateTime(m_from->date(), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    if (m_to->date() != m_to->minimumDate())
        filter.toMs = QDateTime(m_to->date().addDays(1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    m_store->submit(
        this,
        [filter](rl::UsageStore &store) {
            Loaded loaded;
            auto entries = store.auditEntries(filter);
            auto everyone = store.auditEntries(rl::AuditFilter{});
            if (!entries || !everyone) {
                loaded.error = QString::fromStdString((!entries ? entries.error() : everyone.error()).message);
                return loaded;
            }
            loaded.entries = std::move(entries).value();
            for (const rl::AuditEntry &entry : everyone.value())
                if (!loaded.actors.contains(QString::fromStdString(entry.actor)))
                    loaded.actors << QString::fromStdString(entry.actor);
            loaded.actors.sort();
            return loaded;
        },
        [this](const Loaded &loaded) {
            if (!loaded.error.isEmpty()) {
                m_verdict->setText(tr("The audit log could not be read: %1").arg(loaded.error));
                return;
            }
            m_model->setEntries(loaded.entries);
            if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
                m_table->selectRow(0); // the newest change, with its before and after
            const QString actor = m_actor->currentData().toString();
            const QSignalBlocker blocker(m_actor);
            m_actor->clear();
            m_actor->addItem(tr("Anyone"), QString());
            for (const QString &name : loaded.actors)
                m_actor->addItem(name, name);
            m_actor->setCurrentIndex(std::max(0, m_actor->findData(actor)));
            if (!m_verifiedOnce) { // the chain's verdict is shown as soon as the log is
                m_verifiedOnce = true;
                verify();
            }
            emit this->loaded();
        });
}

void AuditLogPage::verify()
{
    if (!m_store)
        return;
    m_store->submit(
        this, [](rl::UsageStore &store) { return store.verifyAudit(); },
        [this](const rl::Result<rl::AuditVerification> &result) {
            if (!result) {
                m_verdict->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
                m_verdict->setText(
                    tr("The chain could not be checked: %1").arg(QString::fromStdString(result.error().message)));
                emit verified(false);
                return;
            }
            const rl::AuditVerification &check = result.value();
            m_model->setFirstBroken(check.ok ? std::nullopt : check.firstBadSeq);
            if (check.ok) {
                m_verdict->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.good().name()));
                m_verdict->setText(
                    check.entries == 1
                        ? tr("The chain holds: 1 entry, not edited, deleted or reordered.")
                        : tr("The chain holds: %1 entries, none edited, deleted or reordered.").arg(check.entries));
            } else {
                m_verdict->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
                m_verdict->setText(
                    tr("The chain is broken: %1. %2")
                        .arg(QString::fromStdString(check.problem), QString::fromStdString(check.advice)));
                if (check.firstBadSeq) {
                    auto *sorted = static_cast<QSortFilterProxyModel *>(m_table->model());
                    const int row = m_model->rowOf(*check.firstBadSeq);
                    if (row >= 0)
                        m_table->selectRow(sorted->mapFromSource(m_model->index(row, 0)).row());
                }
            }
            emit verified(check.ok);
        });
}

void AuditLogPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload(); // changes land from every page
}

void AuditLogPage::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_before->clear();
        m_after->clear();
        return;
    }
    m_before->setPlainText(pretty(current.data(AuditLogModel::BeforeRole).toString()));
    m_after->setPlainText(pretty(current.data(AuditLogModel::AfterRole).toString()));
}
