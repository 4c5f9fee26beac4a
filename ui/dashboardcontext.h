#pragma once

#include "clock.h"

#include <QString>

class CredentialStore;
class PolicyDeployWorker;
class QueryWorker;
class SimulationWorker;
class SourcesWorker;
class StoreService;
class Theme;

// What the composition root (app/dashboardapp.h) hands the window: the objects it assembled, each already
// on its thread. The window wires pages to them and owns none of them.
struct DashboardContext {
    const Theme *theme = nullptr;
    rl::Clock clock;                        // "now" for every query the window asks
    QString storePath;                      // empty: no store (Try a request works without one)
    QString storeFailure;                   // why the store could not be opened, with the fix; empty when open
    StoreService *store = nullptr;          // the only writer; null without an open store
    QueryWorker *queries = nullptr;         // reads, on the query thread; null without an open store
    SourcesWorker *sources = nullptr;       // on the sources thread
    PolicyDeployWorker *deploy = nullptr;   // pushes and router reads, on the deploy thread
    SimulationWorker *simulation = nullptr; // replays of history, on the simulation thread
    CredentialStore *credentials = nullptr; // the OS keychain
};
