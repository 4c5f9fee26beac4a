#include "policyhistorypanel.h"

#include "deploy/policydiff.h"
#include "policydraft.h"
#include "policyversionsmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStringListModel>
#include <QTableView>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

PolicyHistoryPanel::PolicyHistoryPanel(const Theme &theme, PolicyVersionsModel &versions, PolicyDraft &draft,
                                       QWidget *parent)
    : QWidget(parent), m_theme(theme), m_versions(versions), m_draft(draft)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->setSpacing(8);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(&m_versions);
    sorted->setSortRole(PolicyVersionsModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("versionsTable"));
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(PolicyVersionsModel::Version, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(PolicyVersionsModel::Note, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(PolicyVersionsModel::Published, QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 2);

    auto *actions = new QHBoxLayout;
    auto *open = new QPushButton(tr("&Open as a draft"), this);
    auto *rollback = new QPushButton(tr("&Roll back to this version…"), this);
    rollback->setObjectName(QStringLiteral("rollbackButton"));
    auto *exportLiteLlm = new QPushButton(tr("Export as &LiteLLM…"), this);
    exportLiteLlm->setObjectName(QStringLiteral("exportLiteLlm"));
    exportLiteLlm->setToolTip(tr("The selected version (or the latest) as a LiteLLM router config (YAML)"));
    auto *exportPortkey = new QPushButton(tr("Export as Port&key…"), this);
    exportPortkey->setObjectName(QStringLiteral("exportPortkey"));
    exportPortkey->setToolTip(tr("The selected version (or the latest) as a Portkey conditional-routing config"));
    actions->addWidget(open);
    actions->addWidget(rollback);
    actions->addStretch(1);
    actions->addWidget(exportLiteLlm);
    actions->addWidget(exportPortkey);
    layout->addLayout(actions);
    m_exportResult = new QLabel(this);
    m_exportResult->setObjectName(QStringLiteral("exportResult"));
    m_exportResult->setWordWrap(true);
    m_exportResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_exportResult->hide();
    layout->addWidget(m_exportResult);

    auto *draftRow = new QHBoxLayout;
    m_draftPicker = new QComboBox(this);
    m_draftPicker->setObjectName(QStringLiteral("draftPicker"));
    auto *openDraft = new QPushButton(tr("Open &draft"), this);
    auto *deleteDraft = new QPushButton(tr("Delete draft"), this);
    draftRow->addWidget(new QLabel(tr("Saved drafts"), this));
    draftRow->addWidget(m_draftPicker, 1);
    draftRow->addWidget(openDraft);
    draftRow->addWidget(deleteDraft);
    layout->addLayout(draftRow);
    connect(openDraft, &QPushButton::clicked, this, [this] {
        if (!m_draftPicker->currentData().toString().isEmpty())
            emit openDraftRequested(m_draftPicker->currentData().toString());
    });
    connect(deleteDraft, &QPushButton::clicked, this, [this] {
        if (!m_draftPicker->currentData().toString().isEmpty())
            emit deleteDraftRequested(m_draftPicker->currentData().toString());
    });
    connect(exportLiteLlm, &QPushButton::clicked, this,
            [this] { emit exportRequested(selectedVersion(), QStringLiteral("litellm")); });
    connect(exportPortkey, &QPushButton::clicked, this,
            [this] { emit exportRequested(selectedVersion(), QStringLiteral("portkey")); });

    auto *compareRow = new QHBoxLayout;
    m_from = new QComboBox(this);
    m_from->setObjectName(QStringLiteral("diffFrom"));
    m_to = new QComboBox(this);
    m_to->setObjectName(QStringLiteral("diffTo"));
    compareRow->addWidget(new QLabel(tr("Compare"), this));
    compareRow->addWidget(m_from, 1);
    compareRow->addWidget(new QLabel(tr("with"), this));
    compareRow->addWidget(m_to, 1);
    layout->addLayout(compareRow);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_diff = new QStringListModel(this);
    m_diffView = new QListView(this);
    m_diffView->setObjectName(QStringLiteral("diffView"));
    m_diffView->setModel(m_diff);
    m_diffView->setWordWrap(true);
    m_diffView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_diffView, 3);

    connect(open, &QPushButton::clicked, this, [this] {
        if (selectedVersion() > 0)
            emit openVersionRequested(selectedVersion());
    });
    connect(rollback, &QPushButton::clicked, this, [this] {
        if (selectedVersion() > 0)
            emit rollbackRequested(selectedVersion());
    });
    connect(&m_versions, &QAbstractItemModel::modelReset, this, &PolicyHistoryPanel::refreshChoices);
    connect(m_from, &QComboBox::activated, this, &PolicyHistoryPanel::compareChosen);
    connect(m_to, &QComboBox::activated, this, &PolicyHistoryPanel::compareChosen);
    connect(&m_draft, &PolicyDraft::changed, this, [this] {
        if (m_from->currentData().toString() == QStringLiteral("editing")
            || m_to->currentData().toString() == QStringLiteral("editing"))
            compareChosen();
    });
    refreshChoices();
}

void PolicyHistoryPanel::setDrafts(const std::map<std::string, std::string> &drafts)
{
    m_drafts = drafts;
    const QString current = m_draftPicker->currentData().toString();
    m_draftPicker->clear();
    for (const auto &[name, document] : m_drafts)
        m_draftPicker->addItem(QString::fromStdString(name), QString::fromStdString(name));
    if (m_drafts.empty())
        m_draftPicker->addItem(tr("none yet: Save draft keeps the one being edited"), QString());
    m_draftPicker->setCurrentIndex(std::max(0, m_draftPicker->findData(current)));
    refreshChoices();
}

void PolicyHistoryPanel::showExportResult(const QString &text, bool ok)
{
    m_exportResult->setStyleSheet(ok ? QString() : QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
    m_exportResult->setText(text);
    m_exportResult->show();
}

QString PolicyHistoryPanel::exportResultText() const
{
    return m_exportResult->text();
}

qint64 PolicyHistoryPanel::selectedVersion() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(PolicyVersionsModel::VersionRole).toLongLong() : 0;
}

void PolicyHistoryPanel::refreshChoices()
{
    const QString from = m_from->currentData().toString(), to = m_to->currentData().toString();
    for (QComboBox *combo : {m_from, m_to}) {
        const QSignalBlocker blocker(combo);
        combo->clear();
        combo->addItem(tr("the draft being edited"), QStringLiteral("editing"));
        for (const auto &[name, document] : m_drafts)
            combo->addItem(tr("draft “%1”").arg(QString::fromStdString(name)),
                           QStringLiteral("draft:%1").arg(QString::fromStdString(name)));
        for (const rl::PolicyVersionRecord &record : m_versions.versions())
            combo->addItem(tr("version %1").arg(record.version), QStringLiteral("v%1").arg(record.version));
    }
    // By default: the latest published version against the draft being edited.
    const QString latest =
        m_versions.latest() ? QStringLiteral("v%1").arg(m_versions.latest()->version) : QStringLiteral("editing");
    m_from->setCurrentIndex(std::max(0, m_from->findData(from.isEmpty() ? latest : from)));
    m_to->setCurrentIndex(std::max(0, m_to->findData(to.isEmpty() ? QStringLiteral("editing") : to)));
    compareChosen();
}

std::string PolicyHistoryPanel::documentOf(const QString &side) const
{
    if (side == QStringLiteral("editing"))
        return m_draft.document().dump();
    if (side.startsWith(QStringLiteral("draft:"))) {
        auto it = m_drafts.find(side.mid(6).toStdString());
        return it == m_drafts.end() ? std::string() : it->second;
    }
    if (side.startsWith(QLatin1Char('v'))) {
        const rl::PolicyVersionRecord *record = m_versions.find(side.mid(1).toLongLong());
        return record ? record->document : std::string();
    }
    return {};
}

void PolicyHistoryPanel::compareChosen()
{
    compare(m_from->currentData().toString(), m_to->currentData().toString());
}

void PolicyHistoryPanel::compare(const QString &from, const QString &to)
{
    const int fromIndex = m_from->findData(from), toIndex = m_to->findData(to);
    if (fromIndex >= 0 && fromIndex != m_from->currentIndex()) {
        const QSignalBlocker blocker(m_from);
        m_from->setCurrentIndex(fromIndex);
    }
    if (toIndex >= 0 && toIndex != m_to->currentIndex()) {
        const QSignalBlocker blocker(m_to);
        m_to->setCurrentIndex(toIndex);
    }
    const auto a = nlohmann::ordered_json::parse(documentOf(from), nullptr, false);
    const auto b = nlohmann::ordered_json::parse(documentOf(to), nullptr, false);
    if (a.is_discarded() || b.is_discarded()) {
        m_summary->setText(tr("One side is not JSON, so there is nothing to compare line by line."));
        m_diff->setStringList({});
        return;
    }
    QStringList lines;
    for (const rl::PolicyChange &change : rl::PolicyDiff::between(a, b))
        lines << QString::fromStdString(change.text);
    m_summary->setText(lines.isEmpty() ? tr("No differences (version numbers aside).")
                                       : tr("%n difference(s) from %1 to %2:", nullptr, int(lines.size()))
                                             .arg(m_from->currentText(), m_to->currentText()));
    m_diff->setStringList(lines);
}

QStringList PolicyHistoryPanel::diffLines() const
{
    return m_diff->stringList();
}
