#include "schemaregistry.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace fixture {

namespace {

bool endsWith(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

SchemaRegistry::SchemaRegistry(const std::string &directory)
{
    namespace fs = std::filesystem;
    std::error_code error;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (it->is_regular_file() && endsWith(name, ".schema.json"))
            files.push_back(it->path());
    }
    if (error) {
        m_errors.push_back("the schema folder " + directory + " cannot be read: " + error.message());
        return;
    }
    if (files.empty())
        m_errors.push_back("the schema folder " + directory + " holds no *.schema.json");
    std::sort(files.begin(), files.end());
    std::map<std::string, std::string> claimed; // path -> schema name
    for (const fs::path &file : files) {
        m_schemas.push_back(JsonSchemaCheck::fromFile(file.string()));
        for (const std::string &path : m_schemas.back().paths()) {
            auto [at, added] = claimed.emplace(path, m_schemas.back().name());
            if (!added)
                m_errors.push_back("both " + at->second + " and " + m_schemas.back().name() + " describe " + path);
        }
    }
}

const JsonSchemaCheck *SchemaRegistry::forPath(std::string_view path) const
{
    path = path.substr(0, path.find('?'));
    const JsonSchemaCheck *best = nullptr;
    std::size_t bestLength = 0;
    for (const JsonSchemaCheck &schema : m_schemas) {
        for (const std::string &listed : schema.paths()) {
            // Listed paths start with '/', so a suffix match always starts at a segment boundary.
            if (listed.size() > bestLength && endsWith(path, listed)) {
                best = &schema;
                bestLength = listed.size();
            }
        }
    }
    return best;
}

} // namespace fixture
