#include "routing/labelledprompts.h"

#include "boundedjson.h"
#include <nlohmann/json.hpp>

#include <fstream>

namespace rl {

using nlohmann::json;

Result<std::vector<LabelledPrompt>> LabelledPrompts::readFile(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        return Error{"labels.unreadable", path + ": cannot open the labels file; check the path", false};
    std::vector<LabelledPrompt> rows;
    std::string line;
    std::size_t number = 0;
    auto bad = [&](const std::string &why) {
        return Error{"labels.invalid", path + ":" + std::to_string(number) + ": " + why, false};
    };
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        if (auto shape = checkJsonShape(line, JsonLimits{}); !shape)
            return bad("it has " + shape.error().message + "; each line holds one {\"prompt\", …} object");
        json row = json::parse(line, nullptr, false);
        if (row.is_discarded() || !row.is_object())
            return bad("not a JSON object");
        LabelledPrompt item;
        auto prompt = row.find("prompt");
        if (prompt == row.end() || !prompt->is_string())
            return bad("\"prompt\" is missing or not a string");
        item.prompt = prompt->get<std::string>();
        for (const char *key : {"strong_quality", "weak_quality"}) {
            auto value = row.find(key);
            if (value == row.end() || !value->is_number())
                return bad(std::string("\"") + key + "\" is missing or not a number");
            double quality = value->get<double>();
            if (quality < 0.0 || quality > 1.0)
                return bad(std::string("\"") + key + "\" must be between 0 and 1");
            (key[0] == 's' ? item.strongQuality : item.weakQuality) = quality;
        }
        if (auto id = row.find("id"); id != row.end() && id->is_string())
            item.id = id->get<std::string>();
        if (auto source = row.find("source"); source != row.end() && source->is_string())
            item.source = source->get<std::string>();
        else if (const std::size_t slash = item.id.find('/'); slash != std::string::npos)
            item.source = item.id.substr(0, slash);
        rows.push_back(std::move(item));
    }
    if (rows.empty())
        return Error{"labels.empty", path + ": no labelled prompts in the file", false};
    return rows;
}

bool LabelledPrompts::isHeldOut(const LabelledPrompt &row, double fraction)
{
    const std::string &key = row.id.empty() ? row.prompt : row.id;
    std::uint64_t hash = 1469598103934665603ull;
    for (char c : key)
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    hash ^= hash >> 29; // FNV's low bits mix poorly on short, similar keys
    hash *= 0xBF58476D1CE4E5B9ull;
    hash ^= hash >> 32;
    return static_cast<double>(hash % 10000) < fraction * 10000.0;
}

} // namespace rl
