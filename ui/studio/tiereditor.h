#pragma once

#include "widgets/theme.h"

#include <QWidget>

class ModelCatalogFilter;
class ModelCatalogModel;
class PolicyDraft;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;

// Edits one tier of the draft: its models in preference order (move, remove) and new ones picked from the
// price catalog, searched by name or provider and by a highest input price; whether it is the default tier;
// adding and removing tiers. Every change is one undoable edit.
class TierEditor : public QWidget {
    Q_OBJECT
public:
    TierEditor(const Theme &theme, PolicyDraft &draft, ModelCatalogModel &catalog, QWidget *parent = nullptr);

    void setTier(int tier);
    int tier() const { return m_tier; }
    // Adds the catalog's model to the tier (the picker's double click and Add button).
    void addModel(const QString &model);

private:
    void rebuild();
    QStringList models() const;
    void setModels(const QStringList &models, const QString &text);
    QString tierName() const;

    Theme m_theme;
    PolicyDraft &m_draft;
    int m_tier = -1;
    QLabel *m_title = nullptr;
    QCheckBox *m_default = nullptr;
    QListWidget *m_models = nullptr;
    QPushButton *m_up = nullptr, *m_down = nullptr, *m_remove = nullptr;
    QLineEdit *m_search = nullptr;
    QDoubleSpinBox *m_maxPrice = nullptr;
    QTableView *m_catalogView = nullptr;
    ModelCatalogFilter *m_filter = nullptr;
    QPushButton *m_add = nullptr, *m_addTier = nullptr, *m_removeTier = nullptr;
    QLineEdit *m_newTierName = nullptr;
};
