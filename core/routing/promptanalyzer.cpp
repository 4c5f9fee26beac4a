#include "routing/promptanalyzer.h"

#include <algorithm>
#include <cmath>

namespace rl {

namespace {

// PromptAnalyzer::wordHash at compile time, for keywords (lower-case ASCII; little-endian loads).
constexpr std::uint32_t keywordHash(std::string_view word)
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ word.size();
    for (std::size_t p = 0; p < word.size(); p += 8) {
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < 8 && p + k < word.size(); ++k)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(word[p + k]) | 0x20u) << (8 * k);
        h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

struct Keyword {
    std::string_view word;
    PromptAnalyzer::KeywordGroup group;
};

using G = PromptAnalyzer::KeywordGroup;
constexpr Keyword kKeywords[] = {
    {"why", G::Reasoning},
    {"explain", G::Reasoning},
    {"prove", G::Reasoning},
    {"derive", G::Reasoning},
    {"analyze", G::Reasoning},
    {"analyse", G::Reasoning},
    {"compare", G::Reasoning},
    {"evaluate", G::Reasoning},
    {"justify", G::Reasoning},
    {"reason", G::Reasoning},
    {"therefore", G::Reasoning},
    {"implies", G::Reasoning},
    {"argument", G::Reasoning},
    {"tradeoffs", G::Reasoning},
    {"design", G::Reasoning},
    {"architecture", G::Reasoning},
    {"what", G::Factual},
    {"who", G::Factual},
    {"when", G::Factual},
    {"where", G::Factual},
    {"which", G::Factual},
    {"define", G::Factual},
    {"capital", G::Factual},
    {"name", G::Factual},
    {"def", G::CodeWord},
    {"function", G::CodeWord},
    {"class", G::CodeWord},
    {"return", G::CodeWord},
    {"import", G::CodeWord},
    {"include", G::CodeWord},
    {"select", G::CodeWord},
    {"const", G::CodeWord},
    {"var", G::CodeWord},
    {"public", G::CodeWord},
    {"void", G::CodeWord},
    {"int", G::CodeWord},
    {"python", G::CodeWord},
    {"javascript", G::CodeWord},
    {"sql", G::CodeWord},
    {"code", G::CodeWord},
    {"bug", G::CodeWord},
    {"compile", G::CodeWord},
    {"regex", G::CodeWord},
    {"api", G::CodeWord},
    {"implement", G::CodeWord},
    {"refactor", G::CodeWord},
    {"debug", G::CodeWord},
    {"async", G::CodeWord},
    {"step", G::Thorough},
    {"detail", G::Thorough},
    {"detailed", G::Thorough},
    {"thorough", G::Thorough},
    {"comprehensive", G::Thorough},
    {"rigorous", G::Thorough},
    {"carefully", G::Thorough},
    {"must", G::Constraint},
    {"should", G::Constraint},
    {"ensure", G::Constraint},
    {"without", G::Constraint},
    {"exactly", G::Constraint},
    {"only", G::Constraint},
    {"constraints", G::Constraint},
    {"least", G::Constraint},
    {"translate", G::Translate},
    {"translation", G::Translate},
    {"french", G::Translate},
    {"spanish", G::Translate},
    {"german", G::Translate},
    {"summarize", G::Summarize},
    {"summarise", G::Summarize},
    {"summary", G::Summarize},
    {"tldr", G::Summarize},
    {"condense", G::Summarize},
    {"extract", G::Extract},
    {"json", G::Extract},
    {"parse", G::Extract},
    {"fields", G::Extract},
    {"classify", G::Extract},
    {"label", G::Extract},
    {"categorize", G::Extract},
    {"poem", G::Creative},
    {"story", G::Creative},
    {"haiku", G::Creative},
    {"song", G::Creative},
    {"creative", G::Creative},
    {"fiction", G::Creative},
    {"lyrics", G::Creative},
    {"slogan", G::Creative},
    {"calculate", G::MathWord},
    {"solve", G::MathWord},
    {"equation", G::MathWord},
    {"sum", G::MathWord},
    {"total", G::MathWord},
    {"probability", G::MathWord},
    {"integral", G::MathWord},
    {"percent", G::MathWord},
    {"how", G::MathWord},
    {"many", G::MathWord},
    {"much", G::MathWord},
    {"hi", G::Greeting},
    {"hello", G::Greeting},
    {"thanks", G::Greeting},
    {"thank", G::Greeting},
    // v2 groups: negations, arithmetic and steps in words, units.
    {"not", G::Negation},
    {"except", G::Negation},
    {"never", G::Negation},
    {"false", G::Negation},
    {"incorrect", G::Negation},
    {"cannot", G::Negation},
    {"neither", G::Negation},
    {"nor", G::Negation},
    {"unlikely", G::Negation},
    {"isn", G::Negation},
    {"each", G::Operation},
    {"per", G::Operation},
    {"every", G::Operation},
    {"twice", G::Operation},
    {"half", G::Operation},
    {"double", G::Operation},
    {"triple", G::Operation},
    {"thrice", G::Operation},
    {"times", G::Operation},
    {"remaining", G::Operation},
    {"remainder", G::Operation},
    {"left", G::Operation},
    {"rest", G::Operation},
    {"fewer", G::Operation},
    {"less", G::Operation},
    {"more", G::Operation},
    {"than", G::Operation},
    {"average", G::Operation},
    {"difference", G::Operation},
    {"altogether", G::Operation},
    {"combined", G::Operation},
    {"quarter", G::Operation},
    {"third", G::Operation},
    {"percentage", G::Operation},
    {"discount", G::Operation},
    {"profit", G::Operation},
    {"split", G::Operation},
    {"share", G::Operation},
    {"then", G::Sequence},
    {"after", G::Sequence},
    {"before", G::Sequence},
    {"later", G::Sequence},
    {"next", G::Sequence},
    {"finally", G::Sequence},
    {"until", G::Sequence},
    {"again", G::Sequence},
    {"afterwards", G::Sequence},
    {"meanwhile", G::Sequence},
    {"first", G::Sequence},
    {"second", G::Sequence},
    {"hours", G::Unit},
    {"hour", G::Unit},
    {"minutes", G::Unit},
    {"days", G::Unit},
    {"weeks", G::Unit},
    {"months", G::Unit},
    {"years", G::Unit},
    {"dollars", G::Unit},
    {"cents", G::Unit},
    {"miles", G::Unit},
    {"feet", G::Unit},
    {"inches", G::Unit},
    {"pounds", G::Unit},
    {"meters", G::Unit},
    {"kilograms", G::Unit},
    {"liters", G::Unit},
    {"gallons", G::Unit},
    {"mph", G::Unit},
};

constexpr PromptAnalyzer::KeywordTable buildTable()
{
    PromptAnalyzer::KeywordTable table;
    constexpr std::size_t slots = PromptAnalyzer::kKeywordSlots;
    for (auto &g : table.groups)
        g = -1;
    for (const Keyword &keyword : kKeywords) {
        std::uint32_t hash = keywordHash(keyword.word);
        std::size_t slot = hash & (slots - 1);
        while (table.groups[slot] >= 0)
            slot = (slot + 1) & (slots - 1);
        table.hashes[slot] = hash;
        table.groups[slot] = static_cast<signed char>(keyword.group);
    }
    return table;
}

float share(std::uint32_t part, std::uint32_t whole)
{
    return whole ? static_cast<float>(part) / static_cast<float>(whole) : 0.0f;
}
float capped(std::uint32_t count, float cap)
{
    return std::min(static_cast<float>(count), cap) / cap;
}
// log1p of small counts from a table: a dozen features take a logarithm on every routing decision.
const std::array<float, 256> kLog1p = [] {
    std::array<float, 256> table{};
    for (std::size_t n = 0; n < table.size(); ++n)
        table[n] = std::log1p(static_cast<float>(n));
    return table;
}();
float logScaled(std::uint32_t count, float scale)
{
    return (count < kLog1p.size() ? kLog1p[count] : std::log1p(static_cast<float>(count))) / scale;
}

} // namespace

constexpr PromptAnalyzer::KeywordTable PromptAnalyzer::kKeywords = buildTable();

const std::array<std::string_view, PromptAnalyzer::kDenseCount> PromptAnalyzer::kDenseNames = {"length",
                                                                                               "word_count",
                                                                                               "line_count",
                                                                                               "question_marks",
                                                                                               "digit_share",
                                                                                               "math_share",
                                                                                               "code_punct_share",
                                                                                               "code_fence",
                                                                                               "latex",
                                                                                               "upper_share",
                                                                                               "avg_word_length",
                                                                                               "sentence_count",
                                                                                               "list_items",
                                                                                               "reasoning_words",
                                                                                               "factual_words",
                                                                                               "code_words",
                                                                                               "thorough_words",
                                                                                               "constraint_words",
                                                                                               "options",
                                                                                               "number_count",
                                                                                               "non_ascii_share",
                                                                                               "short_prompt",
                                                                                               "math_words",
                                                                                               "creative_words",
                                                                                               "quantities",
                                                                                               "distinct_numbers",
                                                                                               "large_numbers",
                                                                                               "decimals",
                                                                                               "fractions",
                                                                                               "percents",
                                                                                               "money",
                                                                                               "number_sentences",
                                                                                               "words_after_number",
                                                                                               "operation_words",
                                                                                               "sequence_words",
                                                                                               "unit_words",
                                                                                               "negation_words",
                                                                                               "caps_words",
                                                                                               "option_length",
                                                                                               "numeric_options",
                                                                                               "stem_words",
                                                                                               "word_problem"};

const std::array<PromptAnalyzer::CharClass, 256> PromptAnalyzer::kClasses = [] {
    std::array<CharClass, 256> classes{};
    for (int c = 0; c < 256; ++c) {
        CharClass cls = OtherP;
        if (c >= 'a' && c <= 'z')
            cls = Lower;
        else if (c >= 'A' && c <= 'Z')
            cls = Upper;
        else if (c >= '0' && c <= '9')
            cls = Digit;
        else if (c == '_')
            cls = Lower;
        else if (c == ' ' || c == '\t' || c == '\r')
            cls = Space;
        else if (c == '\n')
            cls = Newline;
        else if (c >= 0x80)
            cls = High;
        else {
            switch (c) {
            case '{':
            case '}':
            case '[':
            case ']':
            case '(':
            case ')':
            case ';': cls = CodeP; break;
            case '+':
            case '-':
            case '*':
            case '/':
            case '=':
            case '^':
            case '%':
            case '<':
            case '>': cls = MathP; break;
            case '?': cls = Question; break;
            case '.':
            case '!': cls = SentenceEnd; break;
            case '`': cls = Backtick; break;
            case '\\': cls = Backslash; break;
            case '$': cls = Dollar; break;
            default: cls = OtherP; break;
            }
        }
        classes[static_cast<std::size_t>(c)] = cls;
    }
    return classes;
}();

void PromptAnalyzer::denseFeatures(const Counts &c, std::array<float, kDenseCount> &out)
{
    const std::uint32_t visible = std::max<std::uint32_t>(c.bytes, 1);
    out[Length] = logScaled(c.bytes, 9.0f);
    out[WordCount] = logScaled(c.words, 7.0f);
    out[LineCount] = logScaled(c.lines, 5.0f);
    out[QuestionMarks] = capped(c.questions, 5.0f);
    out[DigitShare] = share(c.digits, visible);
    out[MathShare] = std::min(1.0f, 5.0f * share(c.mathOps, visible));
    out[CodePunctShare] = std::min(1.0f, 5.0f * share(c.codePunct, visible));
    out[CodeFence] = c.codeFences ? 1.0f : 0.0f;
    out[Latex] = capped(c.latex, 10.0f);
    out[UpperShare] = share(c.upper, visible);
    out[AvgWordLength] = std::min(1.0f, share(c.wordBytes, c.words) / 12.0f);
    out[SentenceCount] = logScaled(c.sentences, 4.0f);
    out[ListItems] = capped(c.listItems, 10.0f);
    out[ReasoningWords] = capped(c.groups[Reasoning], 3.0f);
    out[FactualWords] = capped(c.groups[Factual], 3.0f);
    out[CodeWords] = capped(c.groups[CodeWord], 5.0f);
    out[ThoroughWords] = capped(c.groups[Thorough], 3.0f);
    out[ConstraintWords] = capped(c.groups[Constraint], 5.0f);
    out[Options] = capped(c.options, 5.0f);
    out[NumberCount] = logScaled(c.numbers, 4.0f);
    out[NonAsciiShare] = share(c.nonAscii, visible);
    out[ShortPrompt] = c.bytes < 80 ? 1.0f : 0.0f;
    out[MathWords] = capped(c.groups[MathWord], 4.0f);
    out[CreativeWords] = capped(c.groups[Creative], 2.0f);
    // v2. Counts that grow without a natural cap are log-scaled to about 0..1 on ordinary prompts.
    out[Quantities] = logScaled(c.quantities, 3.0f);
    out[DistinctNumbers] = logScaled(c.distinctNumbers, 3.0f);
    out[LargeNumbers] = capped(c.largeNumbers, 4.0f);
    out[Decimals] = capped(c.decimals, 4.0f);
    out[Fractions] = capped(c.fractions, 3.0f);
    out[Percents] = capped(c.percents, 3.0f);
    out[Money] = capped(c.money, 4.0f);
    out[NumberSentences] = logScaled(c.numberSentences, 2.5f);
    out[WordsAfterNumber] = logScaled(c.wordsAfterNumber, 4.0f);
    out[OperationWords] = capped(c.groups[Operation], 6.0f);
    out[SequenceWords] = capped(c.groups[Sequence], 4.0f);
    out[UnitWords] = capped(c.groups[Unit], 6.0f);
    out[NegationWords] = capped(c.groups[Negation], 3.0f);
    out[CapsWords] = capped(c.capsWords, 3.0f);
    out[OptionLength] = c.options ? std::log1p(share(c.optionWords, c.options)) / 4.0f : 0.0f;
    out[NumericOptions] = share(c.numericOptions, c.options);
    out[StemWords] = logScaled(c.words - std::min(c.words, c.optionWords + c.options), 7.0f);
    // A word problem: several quantities and no answer options to choose from.
    out[WordProblem] = c.options == 0 && c.quantities >= 2 ? logScaled(c.distinctNumbers, 3.0f) : 0.0f;
    // In a multiple-choice question the numbers are mostly the options themselves, not quantities to work
    // with: the number and step features describe free-form problems only, so the model can weigh them
    // for those without the choices' numbers blurring them (+0.03 APGR on GSM8K in cross-validation).
    if (c.options > 0)
        for (std::size_t i = Quantities; i <= UnitWords; ++i)
            out[i] = 0.0f;
}

float PromptAnalyzer::hashedScale(const Counts &counts)
{
    return counts.words ? 1.0f / std::sqrt(static_cast<float>(counts.words)) : 0.0f;
}

Task PromptAnalyzer::task(const Counts &c)
{
    // Strong, specific cues first; "reasoning" and "chat" are what is left.
    const float codeEvidence = static_cast<float>(c.codeFences * 3 + c.groups[CodeWord])
                               + 20.0f * share(c.codePunct, std::max<std::uint32_t>(c.bytes, 1));
    if (c.groups[Translate] && c.groups[Translate] >= c.groups[CodeWord])
        return Task::Translate;
    if (codeEvidence >= 3.0f)
        return Task::Code;
    if (c.groups[Summarize])
        return Task::Summarize;
    if (c.groups[Extract] >= 1 && c.groups[Extract] >= c.groups[Creative])
        return Task::Extraction;
    if (c.groups[Creative])
        return Task::Creative;
    const float mathEvidence = static_cast<float>(c.groups[MathWord] + c.latex)
                               + 40.0f * share(c.digits + c.mathOps, std::max<std::uint32_t>(c.bytes, 1));
    if (mathEvidence >= 3.0f && c.numbers >= 2)
        return Task::Math;
    if (c.groups[Reasoning] || c.options >= 2 || c.groups[Thorough])
        return Task::Reasoning;
    if (codeEvidence >= 2.0f)
        return Task::Code;
    return Task::Chat;
}

std::int64_t PromptAnalyzer::tokenEstimate(const Counts &c)
{
    // Words, digit groups of three, one token a punctuation mark, about one a CJK character (three UTF-8
    // bytes), and line breaks that BPE merges about two to a token.
    std::int64_t tokens = c.wordTokens + c.digitTokens + c.punctTokens + c.nonAscii / 3 + (c.lines - 1) / 2;
    return std::max<std::int64_t>(tokens, c.bytes ? 1 : 0);
}

} // namespace rl
