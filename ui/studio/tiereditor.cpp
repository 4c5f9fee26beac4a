#include "tiereditor.h"

#include "modelcatalogmodel.h"
#include "policydraft.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

TierEditor::TierEditor(const Theme &theme, PolicyDraft &draft, ModelCatalogModel &catalog, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_draft(draft)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    m_title = new QLabel(this);
    QFont bold = m_theme.bodyFont();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    m_default = new QCheckBox(tr("Default tier (when no rule matches)"), this);
    m_default->setObjectName(QStringLiteral("tierDefault"));
    layout->addWidget(m_default);
    auto *modelsLabel = new QLabel(tr("Models, in preference order (the next one is the fallback):"), this);
    modelsLabel->setWordWrap(true);
    layout->addWidget(modelsLabel);
    m_models = new QListWidget(this);
    m_models->setObjectName(QStringLiteral("tierModels"));
    m_models->setMaximumHeight(110);
    layout->addWidget(m_models);
    auto *moveRow = new QHBoxLayout;
    m_up = new QPushButton(tr("Move &up"), this);
    m_down = new QPushButton(tr("Move do&wn"), this);
    m_remove = new QPushButton(tr("&Remove model"), this);
    m_remove->setObjectName(QStringLiteral("removeModel"));
    moveRow->addWidget(m_up);
    moveRow->addWidget(m_down);
    moveRow->addWidget(m_remove);
    moveRow->addStretch(1);
    layout->addLayout(moveRow);

    auto *pickLabel = new QLabel(tr("Add a model from the price catalog:"), this);
    layout->addWidget(pickLabel);
    auto *searchRow = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("catalogSearch"));
    m_search->setPlaceholderText(tr("Search by name or provider"));
    m_search->setClearButtonEnabled(true);
    m_maxPrice = new QDoubleSpinBox(this);
    m_maxPrice->setObjectName(QStringLiteral("catalogMaxPrice"));
    m_maxPrice->setRange(0, 1000);
    m_maxPrice->setDecimals(2);
    m_maxPrice->setPrefix(tr("input ≤ $"));
    m_maxPrice->setSuffix(tr(" /1M"));
    m_maxPrice->setSpecialValueText(tr("any input price"));
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_maxPrice);
    layout->addLayout(searchRow);
    m_filter = new ModelCatalogFilter(this);
    m_filter->setSourceModel(&catalog);
    m_catalogView = new QTableView(this);
    m_catalogView->setObjectName(QStringLiteral("catalogView"));
    m_catalogView->setModel(m_filter);
    m_catalogView->setSortingEnabled(true);
    m_catalogView->sortByColumn(ModelCatalogModel::Model, Qt::AscendingOrder);
    m_catalogView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_catalogView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_catalogView->verticalHeader()->hide();
    m_catalogView->horizontalHeader()->setSectionResizeMode(ModelCatalogModel::Model, QHeaderView::Stretch);
    m_catalogView->horizontalHeader()->setSectionResizeMode(ModelCatalogModel::Provider, QHeaderView::ResizeToContents);
    m_catalogView->hideColumn(ModelCatalogModel::Provider);
    layout->addWidget(m_catalogView, 1);
    auto *addRow = new QHBoxLayout;
    m_add = new QPushButton(tr("&Add to tier"), this);
    m_add->setObjectName(QStringLiteral("addModel"));
    addRow->addWidget(m_add);
    addRow->addStretch(1);
    layout->addLayout(addRow);

    auto *tierRow = new QHBoxLayout;
    m_newTierName = new QLineEdit(this);
    m_newTierName->setObjectName(QStringLiteral("newTierName"));
    m_newTierName->setPlaceholderText(tr("new tier name"));
    m_addTier = new QPushButton(tr("Add &tier"), this);
    m_removeTier = new QPushButton(tr("Remove this tier"), this);
    tierRow->addWidget(m_newTierName, 1);
    tierRow->addWidget(m_addTier);
    tierRow->addWidget(m_removeTier);
    layout->addLayout(tierRow);

    connect(&m_draft, &PolicyDraft::changed, this, &TierEditor::rebuild);
    connect(m_search, &QLineEdit::textChanged, m_filter, &ModelCatalogFilter::setSearch);
    connect(m_maxPrice, &QDoubleSpinBox::valueChanged, this, [this](double usd) {
        m_filter->setMaxInputMicro(usd > 0 ? std::optional<qint64>(qint64(usd * 1e6)) : std::nullopt);
    });
    auto pickSelected = [this] {
        const QModelIndex current = m_catalogView->currentIndex();
        if (current.isValid())
            addModel(current.data(ModelCatalogModel::ModelIdRole).toString());
    };
    connect(m_add, &QPushButton::clicked, this, pickSelected);
    connect(m_catalogView, &QTableView::activated, this, pickSelected);
    connect(m_up, &QPushButton::clicked, this, [this] {
        const int row = m_models->currentRow();
        if (row <= 0)
            return;
        QStringList list = models();
        list.move(row, row - 1);
        setModels(list, tr("Tier %1: move %2 up").arg(tierName(), list[row - 1]));
        m_models->setCurrentRow(row - 1);
    });
    connect(m_down, &QPushButton::clicked, this, [this] {
        const int row = m_models->currentRow();
        QStringList list = models();
        if (row < 0 || row + 1 >= list.size())
            return;
        list.move(row, row + 1);
        setModels(list, tr("Tier %1: move %2 down").arg(tierName(), list[row + 1]));
        m_models->setCurrentRow(row + 1);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int row = m_models->currentRow();
        QStringList list = models();
        if (row < 0 || row >= list.size())
            return;
        const QString removed = list.takeAt(row);
        setModels(list, tr("Tier %1: remove %2").arg(tierName(), removed));
    });
    connect(m_default, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_draft.setDefaultTier(tierName());
    });
    connect(m_addTier, &QPushButton::clicked, this, [this] {
        const QString name = m_newTierName->text().trimmed();
        if (name.isEmpty())
            return;
        m_draft.addTier(name);
        m_newTierName->clear();
    });
    connect(m_removeTier, &QPushButton::clicked, this, [this] { m_draft.removeTier(m_tier); });
    rebuild();
}

QString TierEditor::tierName() const
{
    const auto &document = m_draft.document();
    if (!document.contains("tiers") || !document["tiers"].is_array() || m_tier < 0
        || m_tier >= int(document["tiers"].size()))
        return QString();
    const auto &tier = document["tiers"][std::size_t(m_tier)];
    return tier.is_object() && tier.contains("name") && tier["name"].is_string()
               ? QString::fromStdString(tier["name"].get<std::string>())
               : QString();
}

QStringList TierEditor::models() const
{
    QStringList list;
    const auto &document = m_draft.document();
    if (!document.contains("tiers") || !document["tiers"].is_array() || m_tier < 0
        || m_tier >= int(document["tiers"].size()))
        return list;
    const auto &tier = document["tiers"][std::size_t(m_tier)];
    if (tier.is_object() && tier.contains("models") && tier["models"].is_array())
        for (const auto &model : tier["models"])
            if (model.is_string())
                list << QString::fromStdString(model.get<std::string>());
    return list;
}

void TierEditor::setModels(const QStringList &list, const QString &text)
{
    std::vector<std::string> ids;
    for (const QString &model : list)
        ids.push_back(model.toStdString());
    m_draft.setTierModels(m_tier, ids, text);
}

void TierEditor::addModel(const QString &model)
{
    QStringList list = models();
    if (model.isEmpty() || list.contains(model) || m_tier < 0)
        return;
    const QString after = list.isEmpty() ? QString() : list.last();
    list << model;
    setModels(list, after.isEmpty() ? tr("Tier %1: add %2").arg(tierName(), model)
                                    : tr("Tier %1: add %2 after %3").arg(tierName(), model, after));
}

void TierEditor::setTier(int tier)
{
    m_tier = tier;
    rebuild();
}

void TierEditor::rebuild()
{
    const QString name = tierName();
    m_title->setText(name.isEmpty() ? tr("Tier") : tr("Tier %1").arg(name));
    const int row = m_models->currentRow();
    m_models->clear();
    m_models->addItems(models());
    m_models->setCurrentRow(std::min(row, m_models->count() - 1));
    const QSignalBlocker blocker(m_default);
    const auto &document = m_draft.document();
    m_default->setChecked(!name.isEmpty() && document.contains("default_tier")
                          && document["default_tier"] == name.toStdString());
    for (QWidget *widget :
         std::initializer_list<QWidget *>{m_default, m_models, m_up, m_down, m_remove, m_add, m_removeTier})
        widget->setEnabled(!name.isEmpty());
}
