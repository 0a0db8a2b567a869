#include "store/store_factory.hpp"

#include <gtest/gtest.h>

#include <string>

#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

TEST(store_factory, the_sqlite_engine_opens_a_store_that_writes_and_reads) {
    temp_dir dir;
    store_config config = options_in(dir);
    ASSERT_EQ(config.engine, "sqlite") << "sqlite is the default engine";
    auto db = open_store(config);
    ASSERT_NE(db, nullptr);
    EXPECT_TRUE(db->healthy());
    write_and_wait(*db, [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
        auto m = make_message("c1", "a", "halo", 2000, "m1");
        append(tx, m);
    });
    const auto m = read_value(*db, [](reader& r) { return r.find_message("m1"); });
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->seq, 1);
    db->close();
    EXPECT_TRUE(std::filesystem::exists(config.path)) << "the file named by the config holds the store";
}

TEST(store_factory, an_unknown_engine_is_refused_with_its_name_in_the_message) {
    temp_dir dir;
    store_config config = options_in(dir);
    config.engine = "oracle";
    try {
        open_store(config);
        FAIL() << "an unknown engine must be refused";
    } catch (const std::invalid_argument& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("'oracle'"), std::string::npos) << text;
        EXPECT_NE(text.find("sqlite"), std::string::npos) << "says which engines exist: " << text;
    }
    EXPECT_FALSE(std::filesystem::exists(config.path)) << "nothing is created for a refused engine";

    config.engine = "";
    EXPECT_THROW(open_store(config), std::invalid_argument) << "no engine is not sqlite by accident";
}

}  // namespace
}  // namespace writeen::store::testing
