#pragma once

#include <QObject>
#include <QString>

#include <functional>

// Source credentials in the OS keychain (QtKeychain: the Secret Service on Linux, the Keychain on macOS,
// the Credential Manager on Windows), one entry per source name under the service "RouteLedger". Where
// no keychain service runs, every call fails with a message that says so: a secret is never written
// anywhere else (not SQLite, not settings, not logs).
class CredentialStore : public QObject {
    Q_OBJECT
public:
    // ok, secret (for reads), and the error in words when !ok; `missing` when no entry exists,
    // `unreachable` when no keychain service answered; `detail`: the keychain's own words.
    struct Outcome {
        bool ok = false;
        bool missing = false;
        bool unreachable = false;
        QString secret;
        QString error;
        QString detail;
    };
    using Done = std::function<void(const Outcome &)>;

    explicit CredentialStore(QString service = QStringLiteral("RouteLedger"), QObject *parent = nullptr);

    void write(const QString &sourceName, const QString &secret, Done done);
    void read(const QString &sourceName, Done done);
    void remove(const QString &sourceName, Done done);

    // Blocking forms (a nested event loop) for tests and command-line tools.
    Outcome writeAndWait(const QString &sourceName, const QString &secret);
    Outcome readAndWait(const QString &sourceName);
    Outcome removeAndWait(const QString &sourceName);

private:
    QString m_service;
};
