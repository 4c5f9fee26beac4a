#pragma once

#include <string>
#include <vector>

namespace rl {

// A policy written in another gateway's configuration format (LiteLlmExport, PortkeyExport): the document,
// one line for every part of the policy the format cannot express (never dropped silently), and whether
// anything routing-relevant survived the translation.
struct ExportResult {
    std::string text;                  // the whole document, ending with a newline
    std::vector<std::string> warnings; // "rule `easy-to-light` left out: Portkey cannot test complexity, …"
    bool meaningful = true;            // false: nothing of the policy's routing could be expressed
};

} // namespace rl
