#include "commandhelp.h"

#include <iostream>

namespace headless {

CommandHelp::CommandHelp(const char *head, const char *tail, std::string appStore)
    : m_head(head), m_tail(tail), m_appStore(std::move(appStore))
{}

bool CommandHelp::printIfAsked(const std::vector<std::string> &args) const
{
    for (const std::string &arg : args) {
        if (arg == "--help" || arg == "-h") {
            print(std::cout);
            return true;
        }
    }
    return false;
}

void CommandHelp::print(std::ostream &out) const
{
    out << m_head << m_appStore << "." << m_tail;
}

int CommandHelp::usageError(const std::string &message) const
{
    std::cerr << message << "\n";
    print(std::cerr);
    return 2;
}

} // namespace headless
