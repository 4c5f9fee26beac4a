#include "digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

namespace rl {

namespace {

std::array<unsigned char, 32> sha256(std::string_view data)
{
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return digest;
}

} // namespace

bool secretsEqual(std::string_view given, std::string_view expected)
{
    auto a = sha256(given);
    auto b = sha256(expected);
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0 && !expected.empty();
}

} // namespace rl
