#include "httpwire.h"

namespace rl {

namespace {

void appendVersion(std::string &out, unsigned version)
{
    out.append("HTTP/");
    out += static_cast<char>('0' + version / 10);
    out += '.';
    out += static_cast<char>('0' + version % 10);
}

void appendFields(std::string &out, const http::fields &fields)
{
    for (const auto &field : fields)
        out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    out.append("\r\n");
}

} // namespace

std::string headerText(const http::request_header<> &header)
{
    std::string out;
    out.reserve(256);
    out.append(header.method_string()).append(1, ' ').append(header.target()).append(1, ' ');
    appendVersion(out, header.version());
    out.append("\r\n");
    appendFields(out, header);
    return out;
}

std::string headerText(const http::response_header<> &header)
{
    std::string out;
    out.reserve(256);
    appendVersion(out, header.version());
    const unsigned code = header.result_int();
    out += ' ';
    out += static_cast<char>('0' + code / 100);
    out += static_cast<char>('0' + (code / 10) % 10);
    out += static_cast<char>('0' + code % 10);
    out += ' ';
    out.append(header.reason()).append("\r\n");
    appendFields(out, header);
    return out;
}

} // namespace rl
