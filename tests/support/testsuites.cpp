#include "testsuites.h"

#include <QCoreApplication>
#include <QTest>

#include <cstring>
#include <iostream>
#include <vector>

// `exe TestX [Qt Test options]` runs one class, `exe [options]` every class; the exit code is the number of
// failed test functions (capped by Qt Test), as QTEST_MAIN's is.
int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const auto &suites = testsuites::registry();
    if (argc > 1 && argv[1][0] != '-') {
        for (const auto &[name, factory] : suites)
            if (name == argv[1]) {
                std::vector<char *> args{argv[0]};
                args.insert(args.end(), argv + 2, argv + argc);
                const std::unique_ptr<QObject> suite = factory();
                return QTest::qExec(suite.get(), static_cast<int>(args.size()), args.data());
            }
        std::cerr << "no test class " << argv[1] << " here; the classes are:";
        for (const auto &[name, factory] : suites)
            std::cerr << " " << name;
        std::cerr << "\n";
        return 2;
    }
    int failures = 0;
    for (const auto &[name, factory] : suites) {
        const std::unique_ptr<QObject> suite = factory();
        failures += QTest::qExec(suite.get(), argc, argv);
    }
    return failures;
}
