#include "credentialstore.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>

namespace {

bool unreachable(QKeychain::Error error)
{
    // OtherError, on Linux: the Secret Service could not be reached over D-Bus.
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
           || error == QKeychain::OtherError;
}

QString explain(QKeychain::Error error, const QString &detail, const QString &sourceName)
{
    if (unreachable(error))
        return QObject::tr("No keychain service could be reached on this machine (%1), so the credential of \"%2\" "
                           "cannot be kept: RouteLedger never writes secrets in plain text. Start a Secret Service "
                           "(GNOME Keyring or KWallet) in your session and try again.")
            .arg(detail, sourceName);
    switch (error) {
    case QKeychain::AccessDeniedByUser:
        return QObject::tr("The keychain refused access to the credential of \"%1\" (denied by the user).")
            .arg(sourceName);
    case QKeychain::AccessDenied:
        return QObject::tr("The keychain refused access to the credential of \"%1\": %2. Unlock the keychain and "
                           "try again.")
            .arg(sourceName, detail);
    case QKeychain::EntryNotFound:
        return QObject::tr("The keychain holds no credential for \"%1\": edit the source and enter it again.")
            .arg(sourceName);
    default:
        return QObject::tr("The keychain failed for \"%1\": %2. Nothing was written elsewhere.")
            .arg(sourceName, detail);
    }
}

template <typename Job>
void finish(Job *job, const QString &sourceName, const CredentialStore::Done &done, bool isRead)
{
    QObject::connect(job, &QKeychain::Job::finished, job, [job, sourceName, done, isRead] {
        CredentialStore::Outcome outcome;
        outcome.ok = job->error() == QKeychain::NoError;
        outcome.missing = job->error() == QKeychain::EntryNotFound;
        outcome.unreachable = unreachable(job->error());
        if (!outcome.ok) {
            outcome.error = explain(job->error(), job->errorString(), sourceName);
            outcome.detail = job->errorString();
        }
        if constexpr (std::is_same_v<Job, QKeychain::ReadPasswordJob>)
            if (outcome.ok && isRead)
                outcome.secret = job->textData();
        done(outcome);
    });
}

CredentialStore::Outcome waitFor(const std::function<void(const CredentialStore::Done &)> &start)
{
    CredentialStore::Outcome result;
    QEventLoop loop;
    start([&](const CredentialStore::Outcome &outcome) {
        result = outcome;
        loop.quit();
    });
    loop.exec();
    return result;
}

} // namespace

CredentialStore::CredentialStore(QString service, QObject *parent) : QObject(parent), m_service(std::move(service)) {}

void CredentialStore::write(const QString &sourceName, const QString &secret, Done done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file
    job->setKey(sourceName);
    job->setTextData(secret);
    finish(job, sourceName, done, false);
    job->start();
}

void CredentialStore::read(const QString &sourceName, Done done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(sourceName);
    finish(job, sourceName, done, true);
    job->start();
}

void CredentialStore::remove(const QString &sourceName, Done done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(sourceName);
    finish(job, sourceName, done, false);
    job->start();
}

CredentialStore::Outcome CredentialStore::writeAndWait(const QString &sourceName, const QString &secret)
{
    return waitFor([&](const Done &done) { write(sourceName, secret, done); });
}

CredentialStore::Outcome CredentialStore::readAndWait(const QString &sourceName)
{
    return waitFor([&](const Done &done) { read(sourceName, done); });
}

CredentialStore::Outcome CredentialStore::removeAndWait(const QString &sourceName)
{
    return waitFor([&](const Done &done) { remove(sourceName, done); });
}
