#pragma once

#include "routing/literalprefilter.h"
#include "routing/task.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace rl {

struct RouteRequest;
class Condition;

// Answers the leaves that a replay of stored history cannot evaluate from the request alone (a prompt that
// was never stored, a feature its source did not record): core/simulate. nullopt: evaluate the leaf as usual.
// Only a replay sets one (RouteRequest::leafOracle); serving never does.
class LeafOracle {
public:
    virtual ~LeafOracle() = default;
    virtual std::optional<bool> leafValue(const Condition &leaf) = 0;
};

// The request fields a policy condition can test (DESIGN.md §3.1).
enum class Field : unsigned char {
    Team,
    User,
    App,
    Tag,
    Task,
    RequestedModel,
    InputTokens,
    Complexity,
    HasTools,
    HasImages,
    Stream,
    Prompt,
    HourUtc,
    Weekday
};

enum class Op : unsigned char { Eq, Ne, In, NotIn, Lt, Lte, Gt, Gte, Between, Matches, Contains };

enum class FieldKind : unsigned char { Text, TextSet, Number, Boolean, Prompt };

std::string_view fieldName(Field field);
std::string_view opName(Op op);
FieldKind fieldKind(Field field);
bool fieldFromName(std::string_view name, Field &out);
bool opFromName(std::string_view name, Op &out);
bool opAllowed(Field field, Op op);
std::string allowedOpsText(Field field);
std::string allFieldNamesText();

// Values the engine computes once per request and every condition reads.
struct EvalContext {
    const RouteRequest &request;
    double complexity;
    Task task;
    std::int64_t inputTokens;
    int hourUtc; // 0..23
    int weekday; // ISO: 1 = Monday .. 7 = Sunday
};

// A node of a rule's `when` tree: `all`, `any`, `not` or one field test. Built and validated by
// PolicyParser; immutable afterwards, so a loaded policy is safe to share across threads.
class Condition {
public:
    enum class Kind : unsigned char { All, Any, Not, Leaf };

    Condition();
    ~Condition();
    Condition(Condition &&) noexcept;
    Condition &operator=(Condition &&) noexcept;
    Condition(const Condition &) = delete;
    Condition &operator=(const Condition &) = delete;

    Kind kind = Kind::All;
    std::vector<Condition> children; // All, Any: the list; Not: exactly one
    Field field = Field::Team;
    Op op = Op::Eq;
    std::vector<std::string> texts; // Text/TextSet/Prompt values (one for eq/ne/matches/contains)
    std::vector<double> numbers;    // Number values (one, a list for in/not_in, two for between)
    bool boolean = false;
    std::unique_ptr<re2::RE2> regex; // compiled once when the policy loads
    LiteralPrefilter prefilter;      // skips the regex when the text cannot match
    std::string path;                // JSON pointer of this node, for explanations
    std::string promptKey;           // a prompt leaf's PromptChecks::key (operator and pattern), else empty

    // Returns nullptr when the condition holds, otherwise the first node that failed: the failing child
    // of an `all`, the `any` itself when no alternative held, the `not` when its operand held.
    const Condition *firstFailure(const EvalContext &context) const;
    bool holds(const EvalContext &context) const { return firstFailure(context) == nullptr; }

    // True when the condition holds for every possible request (used to find shadowed rules).
    bool alwaysHolds() const;

    // "complexity 0.62 is not < 0.35": why this leaf failed for the given request.
    std::string describeFailure(const EvalContext &context) const;

private:
    bool leafHolds(const EvalContext &context) const;
};

} // namespace rl
