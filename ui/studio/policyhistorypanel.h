#pragma once

#include "widgets/theme.h"

#include <QWidget>

#include <map>
#include <string>

class PolicyDraft;
class PolicyVersionsModel;
class QComboBox;
class QLabel;
class QListView;
class QStringListModel;
class QTableView;

// The studio's History tab: the published versions (who, when, the note), and a readable diff between any
// two of them, a saved draft, or the draft being edited ("rule `easy-to-light`: complexity < 0.35 → < 0.40").
class PolicyHistoryPanel : public QWidget {
    Q_OBJECT
public:
    PolicyHistoryPanel(const Theme &theme, PolicyVersionsModel &versions, PolicyDraft &draft,
                       QWidget *parent = nullptr);

    // Saved drafts by name, with their documents (JSON text).
    void setDrafts(const std::map<std::string, std::string> &drafts);
    // Compares two sides named as the combos name them: "v3", "draft:NAME" or "editing".
    void compare(const QString &from, const QString &to);
    QStringList diffLines() const;
    qint64 selectedVersion() const;
    // What the last export wrote, and every part of the policy its format could not express.
    void showExportResult(const QString &text, bool ok);
    QString exportResultText() const;

signals:
    void openVersionRequested(qint64 version);
    void rollbackRequested(qint64 version);
    void openDraftRequested(const QString &name);
    void deleteDraftRequested(const QString &name);
    // `format`: "litellm" or "portkey"; the selected version, or the latest when none is selected.
    void exportRequested(qint64 version, const QString &format);

private:
    void refreshChoices();
    void compareChosen();
    std::string documentOf(const QString &side) const;

    Theme m_theme;
    PolicyVersionsModel &m_versions;
    PolicyDraft &m_draft;
    std::map<std::string, std::string> m_drafts;
    QTableView *m_table = nullptr;
    QComboBox *m_draftPicker = nullptr;
    QLabel *m_exportResult = nullptr;
    QComboBox *m_from = nullptr;
    QComboBox *m_to = nullptr;
    QLabel *m_summary = nullptr;
    QListView *m_diffView = nullptr;
    QStringListModel *m_diff = nullptr;
};
