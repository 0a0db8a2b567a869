// test_image_tool WIDTH HEIGHT jpeg|png SEED > image
// Writes a WIDTH×HEIGHT RGB image with libvips: a pattern with detail in every tile (so the
// encoder has work and the file stays a few MB), shifted by SEED so that images of the same
// size differ byte for byte (equal content would share one blob and one cached thumbnail).
// tests/integration/thumbnail-memory.test.js makes 7000×7000 images with it; Node has no JPEG
// encoder of its own. Exit status: 0 done, 1 libvips failed (message on stderr), 2 usage.

#include <vips/vips.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

int fail(const char* what) {
    std::cerr << what << ": " << vips_error_buffer() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: test_image_tool WIDTH HEIGHT jpeg|png SEED > image\n";
        return 2;
    }
    const int width = std::atoi(argv[1]);
    const int height = std::atoi(argv[2]);
    const std::string format = argv[3];
    const double seed = std::atof(argv[4]);
    if (width < 1 || height < 1 || (format != "jpeg" && format != "png")) {
        std::cerr << "usage: test_image_tool WIDTH HEIGHT jpeg|png SEED > image\n";
        return 2;
    }
    if (VIPS_INIT(argv[0]) != 0) return fail("vips_init");
    VipsImage* xy = nullptr;
    VipsImage* sum = nullptr;
    VipsImage* rgb = nullptr;
    VipsImage* wrapped = nullptr;
    VipsImage* pixels = nullptr;
    // Bands x, y, and (x + y + seed) · 3, each modulo 256.
    if (vips_xyz(&xy, width, height, nullptr) != 0) return fail("xyz");
    double a[] = {1.0, 1.0};
    VipsImage* matrix = vips_image_new_matrix_from_array(2, 1, a, 2);
    if (vips_recomb(xy, &sum, matrix, nullptr) != 0) return fail("recomb");
    g_object_unref(matrix);
    VipsImage* third = nullptr;
    if (vips_linear1(sum, &third, 3.0, seed * 7.0, nullptr) != 0) return fail("linear");
    if (vips_bandjoin2(xy, third, &rgb, nullptr) != 0) return fail("bandjoin");
    if (vips_remainder_const1(rgb, &wrapped, 256.0, nullptr) != 0) return fail("remainder");
    if (vips_cast_uchar(wrapped, &pixels, nullptr) != 0) return fail("cast");
    void* out = nullptr;
    size_t size = 0;
    const int rc = format == "jpeg" ? vips_jpegsave_buffer(pixels, &out, &size, "Q", 85, nullptr)
                                    : vips_pngsave_buffer(pixels, &out, &size, "compression", 6, nullptr);
    if (rc != 0) return fail("save");
    std::fwrite(out, 1, size, stdout);
    g_free(out);
    for (VipsImage* image : {pixels, wrapped, rgb, third, sum, xy}) g_object_unref(image);
    vips_shutdown();
    return 0;
}
