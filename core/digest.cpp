#include "digest.h"

#include <openssl/evp.h>

#include <array>

namespace rl {

std::string sha256Hex(std::string_view data)
{
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (unsigned char byte : digest) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
    }
    return out;
}

} // namespace rl
