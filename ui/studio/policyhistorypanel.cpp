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
    actions->addWidget(open);
    actions->addWidget(rollback);
    actions->addStretch(1);
    layout->addLayout(actions);

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
    refreshChoices();
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
