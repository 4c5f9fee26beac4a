#pragma once

// Several Qt Test classes in one executable, one class (and file) per component, each still a CTest entry of
// its own: one executable to build and link instead of one per component, which is most of a suite's CI
// time under the sanitizers. A file ends with ROUTELEDGER_TEST_SUITE(TestX) instead of QTEST_MAIN(TestX);
// the executable's main (testsuites.cpp) runs the class named by its first argument, or every class.
#include <QObject>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace testsuites {

using Factory = std::function<std::unique_ptr<QObject>()>;

// The classes linked into this executable, in link order.
inline std::vector<std::pair<std::string, Factory>> &registry()
{
    static std::vector<std::pair<std::string, Factory>> suites;
    return suites;
}

struct Registration {
    Registration(const char *name, Factory factory) { registry().emplace_back(name, std::move(factory)); }
};

} // namespace testsuites

#define ROUTELEDGER_TEST_SUITE(Class)                                                                                  \
    static const testsuites::Registration Class##Registration(#Class, [] { return std::make_unique<Class>(); });
