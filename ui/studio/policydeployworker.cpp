#include "policydeployworker.h"

#include "deploy/policypusher.h"
#include "net/httpclient.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace {

rl::PolicyPusher pusher()
{
    return rl::PolicyPusher(rl::PolicyPusher::Options{});
}

} // namespace

PolicyDeployWorker::PolicyDeployWorker(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<std::vector<rl::PushTarget>>();
    qRegisterMetaType<std::vector<rl::PushResult>>();
    qRegisterMetaType<rl::PushTarget>();
}

void PolicyDeployWorker::push(quint64 ticket, const QString &document, const std::vector<rl::PushTarget> &targets,
                              bool dryRun)
{
    emit pushed(ticket, pusher().push(document.toStdString(), targets, dryRun));
}

void PolicyDeployWorker::pushShadow(quint64 ticket, const QString &document, const std::vector<rl::PushTarget> &targets)
{
    emit pushed(ticket, pusher().push(document.toStdString(), targets, false, true));
}

void PolicyDeployWorker::endShadow(quint64 ticket, const std::vector<rl::PushTarget> &targets)
{
    emit pushed(ticket, pusher().endShadow(targets));
}

void PolicyDeployWorker::readStates(quint64 ticket, const std::vector<rl::PushTarget> &targets)
{
    std::vector<rl::PushResult> states(targets.size());
    std::vector<std::thread> readers;
    const rl::PolicyPusher reader = pusher();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        readers.emplace_back([&, i] {
            rl::PushResult &state = states[i];
            state.target = targets[i].name;
            state.baseUrl = targets[i].baseUrl;
            auto read = reader.read(targets[i]);
            if (read) {
                state.outcome = rl::PushOutcome::Applied;
                state.routerVersion = read->version;
                state.routerEtag = read->etag;
                state.routerDocument = read->document;
            } else {
                state.outcome =
                    read.error().code.rfind("net.", 0) == 0 ? rl::PushOutcome::Unreachable : rl::PushOutcome::Rejected;
                state.summary = read.error().message;
            }
        });
    }
    for (std::thread &thread : readers)
        thread.join();
    emit statesRead(ticket, states);
}

void PolicyDeployWorker::route(quint64 ticket, const rl::PushTarget &target, const QByteArray &requestBody)
{
    rl::HttpClient::Options options;
    options.connectTimeout = std::chrono::milliseconds(2000);
    options.transferTimeout = std::chrono::milliseconds(10000);
    options.maxAttempts = 1;
    rl::HttpClient client(options);
    rl::HttpExchange exchange;
    exchange.method = "POST";
    std::string base = target.baseUrl;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    exchange.url = base + "/admin/route";
    exchange.headers = {{"Authorization", "Bearer " + target.adminToken}, {"Content-Type", "application/json"}};
    exchange.body = requestBody.toStdString();
    auto answer = client.sendOnce(exchange);
    if (!answer) {
        emit routed(ticket, false, {}, QString::fromStdString(answer.error().message));
        return;
    }
    if (answer->status != 200) {
        const rl::Error error = rl::HttpClient::statusError(answer->status, exchange.url, answer->body);
        emit routed(ticket, false, {}, QString::fromStdString(error.message));
        return;
    }
    emit routed(ticket, true, QByteArray::fromStdString(answer->body), QString());
}
