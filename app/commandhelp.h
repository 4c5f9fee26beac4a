#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace headless {

// The help of a command whose text names the app's store: `head` + the store's path + "." + `tail`
// ("… Without --store: the app's store, /home/…/usage.db.\nExit codes: …"). --help prints it on stdout
// (exit 0); a usage error prints the message and then the help on stderr (exit 2).
class CommandHelp {
public:
    CommandHelp(const char *head, const char *tail, std::string appStore);

    // When `args` ask for help (--help or -h anywhere), prints it on stdout and returns true: the command exits 0.
    bool printIfAsked(const std::vector<std::string> &args) const;
    // Prints `message` and the help on stderr; returns the exit code of wrong usage, 2.
    int usageError(const std::string &message) const;

private:
    void print(std::ostream &out) const;

    const char *m_head;
    const char *m_tail;
    std::string m_appStore;
};

} // namespace headless
