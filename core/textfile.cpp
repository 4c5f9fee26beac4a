#include "textfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace rl {

namespace fs = std::filesystem;

std::string formatByteSize(std::uintmax_t bytes)
{
    char buffer[32];
    if (bytes >= (1u << 20))
        std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1u << 20));
    else if (bytes >= 1024)
        std::snprintf(buffer, sizeof buffer, "%.1f KiB", static_cast<double>(bytes) / 1024);
    else
        std::snprintf(buffer, sizeof buffer, "%ju bytes", bytes);
    return buffer;
}

Result<std::string> readTextFile(const std::string &path, std::size_t maxBytes)
{
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        return Error{"file.not_found", path + ": no such file; check the path", false};
    if (fs::is_directory(status))
        return Error{"file.is_directory", path + ": is a folder, not a file", false};
    std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > maxBytes)
        return Error{"file.too_large",
                     path + ": file is " + formatByteSize(size) + "; the limit is " + formatByteSize(maxBytes), false};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error{"file.unreadable", path + ": cannot open: " + std::strerror(errno), false};
    std::string data;
    data.resize(static_cast<std::size_t>(ec ? 0 : size));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    // A file that grew after the size check (or has no size, like a pipe) is still bounded.
    char extra[4096];
    while (in.read(extra, sizeof extra) || in.gcount() > 0) {
        data.append(extra, static_cast<std::size_t>(in.gcount()));
        if (data.size() > maxBytes)
            return Error{"file.too_large", path + ": file is over the limit of " + formatByteSize(maxBytes), false};
    }
    return data;
}

Result<void> writeFileAtomically(const std::string &path, std::string_view contents)
{
    fs::path target(path);
    fs::path temporary = target;
    temporary += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            return Error{"file.unwritable",
                         path + ": cannot write: " + std::strerror(errno) + "; check the folder exists and is writable",
                         false};
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            fs::remove(temporary, ignored);
            return Error{"file.write_failed", path + ": write failed (disk full?)", true};
        }
    }
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (ec) {
        fs::remove(temporary, ec);
        return Error{"file.rename_failed", path + ": cannot replace the file: " + ec.message(), false};
    }
    return {};
}

std::size_t utf8SequenceLength(std::string_view text, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
    }
    if ((length == 2 && lead < 0xC2) || (length == 3 && lead == 0xE0 && byte(i + 1) < 0xA0)
        || (length == 3 && lead == 0xED && byte(i + 1) >= 0xA0) || (length == 4 && lead == 0xF0 && byte(i + 1) < 0x90)
        || (length == 4 && lead > 0xF4) || (length == 4 && lead == 0xF4 && byte(i + 1) >= 0x90))
        return 0; // overlong, surrogate or beyond U+10FFFF
    return length;
}

std::string cleanText(std::string_view text, std::size_t maxBytes)
{
    std::string out;
    for (std::size_t i = 0; i < text.size() && out.size() < maxBytes;) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u < 0x20 || u == 0x7F) {
            ++i;
        } else if (std::size_t length = utf8SequenceLength(text, i); length > 0) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

} // namespace rl
