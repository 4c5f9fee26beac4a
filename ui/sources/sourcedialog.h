#pragma once

#include "store/sourcesettings.h"
#include "widgets/theme.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// Adds or edits one source: type, name, URL, credential and interval. The credential field stays empty
// when editing unless the admin types a new one; a source whose key comes from an environment variable
// (`routeledger sources add --key-env`) names the variable instead. "Test connection" asks the owner to
// read one page and shows its answer here.
class SourceDialog : public QDialog {
    Q_OBJECT
public:
    explicit SourceDialog(const Theme &theme, QWidget *parent = nullptr);

    void setSettings(const rl::SourceSettings &settings, bool hasStoredSecret);
    rl::SourceSettings settings() const;
    QString typedSecret() const; // empty: keep the stored one
    void showTestResult(bool ok, const QString &report);

    QComboBox *typeBox() const { return m_type; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLabel *keyEnvLabel() const { return m_keyEnv; }
    QSpinBox *intervalBox() const { return m_interval; }
    QComboBox *readBox() const { return m_read; }
    QCheckBox *inSpendBox() const { return m_inSpend; }
    QLabel *testLabel() const { return m_testResult; }
    QPushButton *testButton() const { return m_test; }

signals:
    void testRequested();

private:
    Theme m_theme;
    void typeChanged();

    QComboBox *m_type = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_secretLabel = nullptr;
    QLineEdit *m_secret = nullptr;
    QLabel *m_keyEnv = nullptr; // instead of m_secret when the key is in an environment variable
    QLabel *m_note = nullptr;
    QSpinBox *m_interval = nullptr;
    QLabel *m_readLabel = nullptr;
    QComboBox *m_read = nullptr; // LiteLLM: spend logs or daily activity
    QCheckBox *m_inSpend = nullptr;
    QLabel *m_help = nullptr;
    QLabel *m_testResult = nullptr;
    QPushButton *m_test = nullptr;
    rl::SourceSettings m_original;
};
