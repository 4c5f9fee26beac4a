#pragma once

#include "deploy/pushresult.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <vector>

Q_DECLARE_METATYPE(std::vector<rl::PushTarget>)
Q_DECLARE_METATYPE(std::vector<rl::PushResult>)
Q_DECLARE_METATYPE(rl::PushTarget)

// The studio's network work, on a thread of its own (the GUI thread never waits on the network): pushes a
// published policy to routers (rl::PolicyPusher: ETag, If-Match, readback), reads what each router runs
// (for drift), and asks one router's POST /admin/route to compare its decision with the draft's. Each answer
// carries the ticket of its request.
class PolicyDeployWorker : public QObject {
    Q_OBJECT
public:
    explicit PolicyDeployWorker(QObject *parent = nullptr);

public slots:
    void push(quint64 ticket, const QString &document, const std::vector<rl::PushTarget> &targets, bool dryRun);
    // A draft run in shadow on the routers (/admin/policy?shadow), or shadow mode ended; answered by `pushed`.
    void pushShadow(quint64 ticket, const QString &document, const std::vector<rl::PushTarget> &targets);
    void endShadow(quint64 ticket, const std::vector<rl::PushTarget> &targets);
    // What each router runs now: one result per target with routerVersion/routerDocument (or the error).
    void readStates(quint64 ticket, const std::vector<rl::PushTarget> &targets);
    void route(quint64 ticket, const rl::PushTarget &target, const QByteArray &requestBody);

signals:
    void pushed(quint64 ticket, const std::vector<rl::PushResult> &results);
    void statesRead(quint64 ticket, const std::vector<rl::PushResult> &states);
    // `decision` is the router's JSON answer when ok, else `error` says what went wrong.
    void routed(quint64 ticket, bool ok, const QByteArray &decision, const QString &error);
};
