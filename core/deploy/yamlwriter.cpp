#include "deploy/yamlwriter.h"

#include <cctype>

namespace rl {

namespace {

using json = nlohmann::ordered_json;

bool plainKey(const std::string &key)
{
    if (key.empty() || !(std::isalpha(static_cast<unsigned char>(key.front())) || key.front() == '_'))
        return false;
    for (char c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
            return false;
    // Words YAML 1.1 readers (PyYAML) take for booleans or null.
    for (const char *word : {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}) {
        std::string lower;
        for (char c : key)
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == word)
            return false;
    }
    return true;
}

std::string scalar(const json &value)
{
    if (value.is_string())
        return json(value).dump(-1, ' ', false, json::error_handler_t::replace); // "…" with JSON escapes
    if (value.is_null())
        return "null";
    return value.dump(); // numbers and booleans read the same in YAML
}

std::string key(const std::string &name)
{
    return plainKey(name) ? name : scalar(json(name));
}

bool emptyCollection(const json &value)
{
    return (value.is_object() || value.is_array()) && value.empty();
}

void writeValue(const json &value, int indent, std::string &out);

// A map's entries, each at `indent`; the first one continues the current line when `inlineFirst`.
void writeMap(const json &map, int indent, bool inlineFirst, std::string &out)
{
    bool first = true;
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (!(first && inlineFirst))
            out += std::string(static_cast<std::size_t>(indent), ' ');
        first = false;
        out += key(it.key()) + ":";
        const json &child = it.value();
        if (child.is_object() && !child.empty()) {
            out += "\n";
            writeMap(child, indent + 2, false, out);
        } else if (child.is_array() && !child.empty()) {
            out += "\n";
            writeValue(child, indent + 2, out);
        } else {
            out += " " + (emptyCollection(child) ? std::string(child.is_object() ? "{}" : "[]") : scalar(child)) + "\n";
        }
    }
}

void writeValue(const json &value, int indent, std::string &out)
{
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (value.is_object() && !value.empty()) {
        writeMap(value, indent, false, out);
    } else if (value.is_array() && !value.empty()) {
        for (const json &item : value) {
            out += pad + "- ";
            if (item.is_object() && !item.empty()) {
                writeMap(item, indent + 2, true, out);
            } else if (item.is_array() && !item.empty()) {
                out.back() = '\n';
                writeValue(item, indent + 2, out);
            } else {
                out += (emptyCollection(item) ? std::string(item.is_object() ? "{}" : "[]") : scalar(item)) + "\n";
            }
        }
    } else {
        out += pad + (emptyCollection(value) ? std::string(value.is_object() ? "{}" : "[]") : scalar(value)) + "\n";
    }
}

} // namespace

std::string YamlWriter::write(const nlohmann::ordered_json &document, const std::vector<std::string> &comments)
{
    std::string out;
    for (const std::string &comment : comments) {
        std::string line = comment;
        for (char &c : line)
            if (c == '\n' || c == '\r')
                c = ' ';
        out += line.empty() ? "#\n" : "# " + line + "\n";
    }
    writeValue(document, 0, out);
    return out;
}

} // namespace rl
