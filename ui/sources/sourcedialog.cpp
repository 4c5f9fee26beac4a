#include "sources/sourcedialog.h"

#include "sources/sourcecredential.h"
#include "sources/sourcekinds.h"
#include "widgets/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

SourceDialog::SourceDialog(const Theme &theme, QWidget *parent) : QDialog(parent), m_theme(theme)
{
    setWindowTitle(tr("Add source"));
    setMinimumWidth(560);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_type = new QComboBox(this);
    for (const rl::SourceKindInfo &kind : rl::SourceKinds::all())
        m_type->addItem(QString::fromStdString(kind.label), QString::fromStdString(kind.id));
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("e.g. OpenAI production org"));
    m_url = new QLineEdit(this);
    m_secretLabel = new QLabel(this);
    m_secret = new QLineEdit(this);
    m_secret->setEchoMode(QLineEdit::Password);
    m_keyEnv = new QLabel(this);
    m_keyEnv->hide();
    auto *secretField = new QWidget(this);
    auto *secretLayout = new QHBoxLayout(secretField);
    secretLayout->setContentsMargins(0, 0, 0, 0);
    secretLayout->addWidget(m_secret);
    secretLayout->addWidget(m_keyEnv);
    m_interval = new QSpinBox(this);
    m_interval->setRange(10, 86'400);
    m_interval->setSingleStep(60);
    m_interval->setValue(300);
    m_interval->setSuffix(tr(" s"));
    m_readLabel = new QLabel(tr("Read"), this);
    m_read = new QComboBox(this);
    m_read->addItem(tr("Spend logs (every request)"), QStringLiteral("spend_logs"));
    m_read->addItem(tr("Daily activity per team (lighter)"), QStringLiteral("team_activity"));
    m_read->addItem(tr("Daily activity per tag"), QStringLiteral("tag_activity"));
    m_help = new QLabel(this);
    m_help->setWordWrap(true);
    m_help->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    form->addRow(tr("Type"), m_type);
    form->addRow(QString(), m_help);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Base URL"), m_url);
    form->addRow(m_secretLabel, secretField);
    form->addRow(tr("Poll every"), m_interval);
    form->addRow(m_readLabel, m_read);
    m_inSpend = new QCheckBox(tr("Count its usage in spend"), this);
    m_inSpend->setChecked(true);
    m_inSpend->setToolTip(tr("Turn off when another source already reports the same traffic (a router in front of "
                             "this provider): it is then counted once, and compared on the Reconciliation page."));
    form->addRow(QString(), m_inSpend);
    layout->addLayout(form);
    m_note = new QLabel(tr("The credential is kept in this computer's keychain, never in the store file."), this);
    m_note->setWordWrap(true);
    m_note->setFont(m_theme.captionFont());
    layout->addWidget(m_note);
    m_testResult = new QLabel(this);
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testResult->hide();
    layout->addWidget(m_testResult);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_test = buttons->addButton(tr("Test connection"), QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_test, &QPushButton::clicked, this, [this] {
        m_testResult->setText(tr("Testing…"));
        m_testResult->setStyleSheet(QString());
        m_testResult->show();
        m_test->setEnabled(false);
        emit testRequested();
    });
    connect(m_type, &QComboBox::currentIndexChanged, this, &SourceDialog::typeChanged);
    typeChanged();
}

void SourceDialog::typeChanged()
{
    const rl::SourceKindInfo *kind = rl::SourceKinds::find(m_type->currentData().toString().toStdString());
    if (!kind)
        return;
    m_help->setText(QString::fromStdString(kind->help));
    m_readLabel->setVisible(kind->id == "litellm");
    m_read->setVisible(kind->id == "litellm");
    m_secretLabel->setText(QString::fromStdString(kind->credentialLabel));
    // A URL the admin has not touched follows the type.
    bool isDefault = m_url->text().isEmpty();
    for (const rl::SourceKindInfo &other : rl::SourceKinds::all())
        isDefault = isDefault || m_url->text() == QString::fromStdString(other.defaultUrl);
    if (isDefault)
        m_url->setText(QString::fromStdString(kind->defaultUrl));
}

void SourceDialog::setSettings(const rl::SourceSettings &settings, bool hasStoredSecret)
{
    setWindowTitle(tr("Edit source"));
    m_original = settings;
    m_type->setCurrentIndex(std::max(0, m_type->findData(QString::fromStdString(settings.kind))));
    m_name->setText(QString::fromStdString(settings.name));
    m_url->setText(QString::fromStdString(settings.baseUrl));
    m_interval->setValue(static_cast<int>(settings.intervalS));
    m_inSpend->setChecked(settings.inSpend);
    const nlohmann::json options = nlohmann::json::parse(settings.options, nullptr, false);
    if (options.is_object() && options.contains("read") && options["read"].is_string())
        m_read->setCurrentIndex(
            std::max(0, m_read->findData(QString::fromStdString(options["read"].get<std::string>()))));
    m_secret->setPlaceholderText(hasStoredSecret ? tr("Unchanged (stored in the keychain)")
                                                 : tr("None stored: enter it"));
    const std::optional<std::string> variable = rl::SourceCredential::environmentVariable(settings);
    m_secret->setVisible(!variable);
    m_keyEnv->setVisible(variable.has_value());
    if (variable) {
        m_keyEnv->setText(tr("Key from environment variable %1").arg(QString::fromStdString(*variable)));
        m_note->setText(tr("The key is read from that variable in the app's environment; it is never stored."));
    }
}

rl::SourceSettings SourceDialog::settings() const
{
    rl::SourceSettings s = m_original;
    s.kind = m_type->currentData().toString().toStdString();
    s.name = m_name->text().trimmed().toStdString();
    s.baseUrl = m_url->text().trimmed().toStdString();
    s.intervalS = m_interval->value();
    s.inSpend = m_inSpend->isChecked();
    nlohmann::json options = nlohmann::json::parse(s.options.empty() ? std::string("{}") : s.options, nullptr, false);
    if (!options.is_object())
        options = nlohmann::json::object();
    if (s.kind == "litellm")
        options["read"] = m_read->currentData().toString().toStdString();
    else
        options.erase("read");
    s.options = options.dump();
    return s;
}

QString SourceDialog::typedSecret() const
{
    return m_secret->text();
}

void SourceDialog::showTestResult(bool ok, const QString &report)
{
    m_test->setEnabled(true);
    m_testResult->setText(report);
    m_testResult->setStyleSheet(QStringLiteral("color: %1;").arg((ok ? m_theme.good() : m_theme.blocked()).name()));
    m_testResult->show();
}
