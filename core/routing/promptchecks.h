#pragma once

#include "routing/condition.h"
#include "store/usagerecords.h"

#include <string>
#include <string_view>
#include <vector>

namespace rl {

struct Policy;
struct RouteRequest;

// The prompt conditions of the policies in force, evaluated on a request and kept with its usage event
// (DESIGN.md §3.3): prompts are never stored, so this is all a later replay knows of a prompt. A condition is
// known by its key, a fingerprint of its operator and pattern, so a draft that keeps a pattern (in any rule,
// under any id) replays exactly, and a new or changed pattern is reported as unknown instead of guessed.
class PromptChecks {
public:
    // 16 hex digits of SHA-256("routeledger.prompt/v1;" op ";" pattern).
    static std::string key(Op op, std::string_view pattern);

    // The prompt leaves of a policy's rules (enabled or not), in rule order, each key once.
    static void collect(const Policy &policy, std::vector<const Condition *> &leaves);

    // Evaluates each leaf (distinct keys; `leaves` as collect() made them, for one or more policies) on
    // the request's prompt, appending to `out`.
    static void evaluate(const std::vector<const Condition *> &leaves, const RouteRequest &request,
                         std::vector<PromptCheck> &out);

    // "key=1,key=0": the form the store and the router's ledger keep.
    static std::string encode(const std::vector<PromptCheck> &checks);
    // Refuses (false) anything but the encoded form.
    static bool decode(std::string_view text, std::vector<PromptCheck> &out);
};

} // namespace rl
