// web_push_encrypt_tool P256DH AUTH < plaintext
// Prints the aes128gcm body that writeen_notify makes for the subscription keys, in unpadded
// base64url. tests/integration/web-push-crypto.test.js decrypts it with an independent
// implementation (http_ece), which a test against our own code could not replace.
// Exit status: 0 done, 1 input refused (message on stderr), 2 usage.

#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "auth/base64url.hpp"
#include "notify/web_push_encryption.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: web_push_encrypt_tool P256DH AUTH < plaintext\n";
        return 2;
    }
    std::cin >> std::noskipws;
    const std::string plaintext((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    try {
        std::cout << writeen::auth::base64url_encode(
                         writeen::notify::encrypt_push_message(plaintext, argv[1], argv[2]))
                  << '\n';
    } catch (const std::invalid_argument& e) {
        std::cerr << "refused: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
