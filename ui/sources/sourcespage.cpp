#include "sources/sourcespage.h"

#include "credentialstore.h"
#include "sources/sourcedialog.h"
#include "sources/sourcesmodel.h"
#include "sources/sourcesworker.h"
#include "widgets/theme.h"

#include "sources/sourcecredential.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

QLabel *sectionTitle(const Theme &theme, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = theme.bodyFont();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    label->setFont(font);
    return label;
}

} // namespace

SourcesPage::SourcesPage(SourcesWorker *worker, CredentialStore *credentials, const Theme &theme, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_worker(worker), m_credentials(credentials)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(10);
    layout->addWidget(sectionTitle(m_theme, tr("Sources"), this));
    auto *intro = new QLabel(tr("The routers, gateways and provider accounts RouteLedger reads usage and cost from. "
                                "Each is polled on its own schedule; a failing source never holds up another."),
                             this);
    intro->setWordWrap(true);
    intro->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    layout->addWidget(intro);

    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add source…"), this);
    m_edit = new QPushButton(tr("Edit…"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    m_pause = new QPushButton(tr("Pause"), this);
    m_poll = new QPushButton(tr("Poll now"), this);
    m_readAgain = new QPushButton(tr("Read again from the start"), this);
    m_readAgain->setToolTip(tr("Forget where this source was and read it again; nothing is counted twice."));
    for (QPushButton *b : {add, m_edit, m_remove, m_pause, m_poll, m_readAgain})
        buttons->addWidget(b);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    m_model = new SourcesModel(m_theme, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(SourcesModel::SortRole);
    m_view = new QTableView(this);
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SourcesModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setMinimumHeight(160);
    layout->addWidget(m_view, 2);
    m_empty = new QLabel(tr("No sources yet. Add a RouteLedger router, a LiteLLM proxy, or an OpenAI, Anthropic or "
                            "OpenRouter account to start reading usage."),
                         this);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: %1; padding: 12px;").arg(m_theme.mutedText().name()));
    layout->addWidget(m_empty);
    m_detail = new QLabel(this);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_detail);

    layout->addWidget(sectionTitle(m_theme, tr("Identity mapping"), this));
    auto *mappingIntro =
        new QLabel(tr("Tie a provider project or workspace, an API key, an app, a tag or a gateway team to a "
                      "RouteLedger team and app. The most specific match wins (key, project, app, tag, team); records "
                      "nothing matches keep their source's team, or show as unassigned. Saving re-applies the "
                      "mapping to everything stored."),
                   this);
    mappingIntro->setWordWrap(true);
    mappingIntro->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    layout->addWidget(mappingIntro);
    m_mappings = new QTableWidget(0, 4, this);
    m_mappings->setHorizontalHeaderLabels({tr("Match"), tr("Value"), tr("Team"), tr("App")});
    m_mappings->horizontalHeader()->setStretchLastSection(true);
    m_mappings->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_mappings->verticalHeader()->hide();
    m_mappings->setMinimumHeight(120);
    m_mappings->setColumnWidth(0, 190);
    m_mappings->setColumnWidth(2, 160);
    layout->addWidget(m_mappings, 1);
    auto *mappingButtons = new QHBoxLayout;
    auto *addMapping = new QPushButton(tr("Add mapping"), this);
    auto *removeMapping = new QPushButton(tr("Remove mapping"), this);
    auto *saveMapping = new QPushButton(tr("Save mappings"), this);
    mappingButtons->addWidget(addMapping);
    mappingButtons->addWidget(removeMapping);
    mappingButtons->addStretch(1);
    mappingButtons->addWidget(saveMapping);
    layout->addLayout(mappingButtons);

    connect(add, &QPushButton::clicked, this, [this] {
        SourceDialog *dialog = openDialog();
        if (dialog->exec() == QDialog::Accepted)
            saveDialog(dialog, QString());
        dialog->deleteLater();
        m_dialog = nullptr;
    });
    connect(m_edit, &QPushButton::clicked, this, [this] {
        const QString name = selectedName();
        SourceDialog *dialog = openDialog(name);
        if (dialog->exec() == QDialog::Accepted)
            saveDialog(dialog, name);
        dialog->deleteLater();
        m_dialog = nullptr;
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (QMessageBox::question(this, tr("Remove source"),
                                  tr("Stop polling \"%1\" and forget its settings and credential? The usage it "
                                     "brought in stays in the store.")
                                      .arg(selectedName()))
            == QMessageBox::Yes)
            removeSelected();
    });
    connect(m_pause, &QPushButton::clicked, this, [this] {
        const SourceView *source = m_model->sourceAt(m_sorted->mapToSource(m_view->currentIndex()).row());
        setPausedSelected(source && !source->settings.paused);
    });
    connect(m_poll, &QPushButton::clicked, this, &SourcesPage::pollSelected);
    connect(m_readAgain, &QPushButton::clicked, this, &SourcesPage::readSelectedAgain);
    connect(addMapping, &QPushButton::clicked, this, [this] { addMappingRow(); });
    connect(removeMapping, &QPushButton::clicked, this, [this] {
        if (m_mappings->currentRow() >= 0)
            m_mappings->removeRow(m_mappings->currentRow());
    });
    connect(saveMapping, &QPushButton::clicked, this, &SourcesPage::saveMappings);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &SourcesPage::updateButtons);

    connect(worker, &SourcesWorker::sourcesLoaded, this, &SourcesPage::loadCredentials, Qt::QueuedConnection);
    connect(worker, &SourcesWorker::sourcesChanged, this, &SourcesPage::showSources, Qt::QueuedConnection);
    connect(worker, &SourcesWorker::mappingsLoaded, this, &SourcesPage::showMappings, Qt::QueuedConnection);
    connect(
        worker, &SourcesWorker::failed, this, [this](const QString &m) { showMessage(m, true); }, Qt::QueuedConnection);
    connect(
        worker, &SourcesWorker::saved, this,
        [this](const QString &name) { showMessage(tr("Saved \"%1\"; polling it now.").arg(name), false); },
        Qt::QueuedConnection);
    connect(
        worker, &SourcesWorker::tested, this,
        [this](const QString &, bool ok, const QString &report) {
            if (m_dialog)
                m_dialog->showTestResult(ok, report);
            else
                showMessage(report, !ok);
        },
        Qt::QueuedConnection);
    updateButtons();
}

void SourcesPage::call(std::function<void(SourcesWorker *)> work)
{
    // Runs on the worker's thread, after whatever it is doing now.
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, work = std::move(work)] { work(worker); }, Qt::QueuedConnection);
}

QString SourcesPage::selectedName() const
{
    const SourceView *source = m_model->sourceAt(m_sorted->mapToSource(m_view->currentIndex()).row());
    return source ? QString::fromStdString(source->settings.name) : QString();
}

void SourcesPage::selectSource(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row >= 0)
        m_view->setCurrentIndex(m_sorted->mapFromSource(m_model->index(row, 0)));
}

void SourcesPage::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(
        QStringLiteral("color: %1;").arg((error ? m_theme.blocked() : m_theme.mutedText()).name()));
    m_message->setVisible(!text.isEmpty());
}

void SourcesPage::loadCredentials(const QVector<SourceView> &sources)
{
    showSources(sources);
    auto startOrHold = [this](const QString &name, bool ok, const QString &secretOrReason) {
        if (ok) {
            m_secrets.insert(name, secretOrReason);
            call([name, secretOrReason](SourcesWorker *w) { w->start(name, secretOrReason); });
        } else {
            call([name, secretOrReason](SourcesWorker *w) { w->hold(name, secretOrReason); });
        }
    };
    for (const SourceView &source : sources) {
        const QString name = QString::fromStdString(source.settings.name);
        if (rl::SourceCredential::environmentVariable(source.settings)) {
            // Added with `routeledger sources add --key-env`: the key is in the app's environment.
            const rl::Result<std::string> key = rl::SourceCredential::fromEnvironment(source.settings);
            startOrHold(name, key.ok(), QString::fromStdString(key ? key.value() : key.error().message));
            continue;
        }
        m_credentials->read(name, [startOrHold, name](const CredentialStore::Outcome &outcome) {
            startOrHold(name, outcome.ok, outcome.ok ? outcome.secret : outcome.error);
        });
    }
}

void SourcesPage::showSources(const QVector<SourceView> &sources)
{
    const QString selected = selectedName();
    m_sources = sources;
    m_model->setSources(sources, rl::readClock(m_clock));
    m_view->resizeColumnsToContents();
    m_view->setVisible(!sources.isEmpty());
    m_empty->setVisible(sources.isEmpty());
    if (!selected.isEmpty())
        selectSource(selected);
    else if (!sources.isEmpty())
        m_view->setCurrentIndex(m_sorted->index(0, 0));
    updateButtons();
    emit sourcesShown();
}

void SourcesPage::updateButtons()
{
    const SourceView *source = m_model->sourceAt(m_sorted->mapToSource(m_view->currentIndex()).row());
    for (QPushButton *b : {m_edit, m_remove, m_pause, m_poll, m_readAgain})
        b->setEnabled(source != nullptr);
    m_pause->setText(source && source->settings.paused ? tr("Resume") : tr("Pause"));
    if (!source) {
        m_detail->clear();
        return;
    }
    const rl::SourceStatus &s = source->status;
    QStringList lines;
    lines << tr("<b>%1</b> — %2")
                 .arg(QString::fromStdString(source->settings.name).toHtmlEscaped(),
                      QString::fromStdString(source->settings.baseUrl).toHtmlEscaped());
    if (!source->notPolled.isEmpty())
        lines << tr("<span style='color:%1'>Not polled: %2</span>")
                     .arg(m_theme.blocked().name(), source->notPolled.toHtmlEscaped());
    else if (s.lastError)
        lines << tr("<span style='color:%1'>Last error (%2): %3</span>")
                     .arg(m_theme.blocked().name(), QString::fromStdString(s.lastError->code),
                          QString::fromStdString(s.lastError->message).toHtmlEscaped());
    if (s.nextPollMs > 0 && source->notPolled.isEmpty() && !source->settings.paused)
        lines << tr("Next poll at %1.")
                     .arg(QDateTime::fromMSecsSinceEpoch(s.nextPollMs).toString(QStringLiteral("HH:mm:ss")));
    m_detail->setText(lines.join(QStringLiteral("<br>")));
}

SourceDialog *SourcesPage::openDialog(const QString &editName)
{
    auto *dialog = new SourceDialog(m_theme, this);
    m_dialog = dialog;
    if (!editName.isEmpty()) {
        const int row = m_model->rowOf(editName);
        if (const SourceView *source = m_model->sourceAt(row))
            dialog->setSettings(source->settings, m_secrets.contains(editName));
    }
    connect(dialog, &SourceDialog::testRequested, this, [this, dialog, editName] {
        const QString secret = dialog->typedSecret().isEmpty() ? m_secrets.value(editName) : dialog->typedSecret();
        call([settings = dialog->settings(), secret](SourcesWorker *w) { w->test(settings, secret); });
    });
    return dialog;
}

void SourcesPage::saveDialog(SourceDialog *dialog, const QString &previousName)
{
    const rl::SourceSettings settings = dialog->settings();
    const QString name = QString::fromStdString(settings.name);
    if (rl::SourceCredential::environmentVariable(settings)) {
        // Its key stays in the environment variable: nothing goes to the keychain.
        const rl::Result<std::string> key = rl::SourceCredential::fromEnvironment(settings);
        if (!key) {
            showMessage(tr("\"%1\" was not saved: %2").arg(name, QString::fromStdString(key.error().message)), true);
            return;
        }
        m_secrets.remove(previousName);
        m_secrets.insert(name, QString::fromStdString(key.value()));
        call([settings, secret = m_secrets.value(name), previousName](SourcesWorker *w) {
            w->save(settings, secret, previousName);
        });
        return;
    }
    const QString secret = dialog->typedSecret().isEmpty() ? m_secrets.value(previousName) : dialog->typedSecret();
    if (secret.isEmpty()) {
        showMessage(tr("\"%1\" was not saved: enter its credential.").arg(name), true);
        return;
    }
    // The keychain first: if it cannot hold the secret, nothing is saved (and nothing goes anywhere else).
    m_credentials->write(name, secret, [this, settings, secret, name, previousName](const CredentialStore::Outcome &o) {
        if (!o.ok) {
            showMessage(tr("\"%1\" was not saved. %2").arg(name, o.error), true);
            return;
        }
        m_secrets.insert(name, secret);
        if (!previousName.isEmpty() && previousName != name) {
            m_secrets.remove(previousName);
            m_credentials->remove(previousName, [](const CredentialStore::Outcome &) {});
        }
        call([settings, secret, previousName](SourcesWorker *w) { w->save(settings, secret, previousName); });
    });
}

void SourcesPage::setPausedSelected(bool paused)
{
    const QString name = selectedName();
    if (!name.isEmpty())
        call([name, paused](SourcesWorker *w) { w->setPaused(name, paused); });
}

void SourcesPage::pollSelected()
{
    const QString name = selectedName();
    if (!name.isEmpty())
        call([name](SourcesWorker *w) { w->pollNow(name); });
}

void SourcesPage::readSelectedAgain()
{
    const QString name = selectedName();
    if (!name.isEmpty())
        call([name, secret = m_secrets.value(name)](SourcesWorker *w) { w->readAgain(name, secret); });
}

void SourcesPage::removeSelected()
{
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    call([name](SourcesWorker *w) { w->remove(name); });
    m_secrets.remove(name);
    m_credentials->remove(name, [](const CredentialStore::Outcome &) {});
}

void SourcesPage::addMappingRow(const rl::IdentityMapping &mapping)
{
    const int row = m_mappings->rowCount();
    m_mappings->insertRow(row);
    auto *field = new QComboBox(m_mappings);
    const std::pair<rl::IdentityField, QString> fields[] = {
        {rl::IdentityField::Project, tr("Project / workspace")},
        {rl::IdentityField::ApiKey, tr("API key")},
        {rl::IdentityField::App, tr("App")},
        {rl::IdentityField::Tag, tr("Tag")},
        {rl::IdentityField::Team, tr("Gateway team")},
    };
    for (const auto &[value, label] : fields)
        field->addItem(label, static_cast<int>(value));
    field->setCurrentIndex(field->findData(static_cast<int>(mapping.field)));
    m_mappings->setCellWidget(row, 0, field);
    m_mappings->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(mapping.value)));
    m_mappings->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(mapping.team)));
    m_mappings->setItem(row, 3, new QTableWidgetItem(QString::fromStdString(mapping.app)));
}

void SourcesPage::showMappings(const std::vector<rl::IdentityMapping> &mappings)
{
    m_mappings->setRowCount(0);
    for (const rl::IdentityMapping &mapping : mappings)
        addMappingRow(mapping);
    m_mappings->setColumnWidth(0, std::max(m_mappings->columnWidth(0), 190)); // the combo box needs room
    emit mappingsShown();
}

void SourcesPage::saveMappings()
{
    std::vector<rl::IdentityMapping> mappings;
    auto text = [this](int row, int column) {
        const QTableWidgetItem *item = m_mappings->item(row, column);
        return item ? item->text().trimmed().toStdString() : std::string();
    };
    for (int row = 0; row < m_mappings->rowCount(); ++row) {
        const auto *field = qobject_cast<QComboBox *>(m_mappings->cellWidget(row, 0));
        rl::IdentityMapping m;
        m.field = static_cast<rl::IdentityField>(field ? field->currentData().toInt() : 0);
        m.value = text(row, 1);
        m.team = text(row, 2);
        m.app = text(row, 3);
        if (m.value.empty() && m.team.empty() && m.app.empty())
            continue; // an untouched new row
        mappings.push_back(std::move(m));
    }
    showMessage(QString(), false);
    call([mappings](SourcesWorker *w) { w->saveMappings(mappings); });
}
