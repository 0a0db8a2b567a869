#include "http/openapi_resource.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "auth/token_verifier.hpp"
#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "http/rest_api.hpp"
#include "hub/hub.hpp"
#include "store/store_factory.hpp"

namespace writeen::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

/// "GET /api/messages/:id" → {"get", "/api/messages/{id}"}: the router's pattern as OpenAPI names it.
std::pair<std::string, std::string> openapi_operation(const std::string& route) {
    const auto space = route.find(' ');
    std::string method = route.substr(0, space);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string path;
    std::istringstream segments{route.substr(space + 1)};
    for (std::string segment; std::getline(segments, segment, '/');) {
        if (segment.empty()) continue;
        path += "/" + (segment.starts_with(':') ? "{" + segment.substr(1) + "}" : segment);
    }
    return {method, path};
}

/// The real REST API of a server (every resource, --dev on so its routes are listed too).
class rest_api_routes : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("writeen-openapi-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        db_ = store::open_store({.path = (dir_ / "chat.db").string(), .read_connections = 1});
        hub_ = std::make_unique<hub::hub>(bus_);
        chat_ = std::make_unique<chat::service>(*db_, *hub_, chat::options{});
        verifier_ = std::make_unique<auth::token_verifier>(auth::verifier_options{.key = std::string(40, 'k')});
        api_ = std::make_unique<rest_api>(*chat_, *verifier_, metrics_, bus_, rest_options{.dev = true});
    }
    void TearDown() override {
        api_.reset();
        chat_.reset();
        db_->close();
        fs::remove_all(dir_);
    }

    fs::path dir_;
    std::unique_ptr<store::database> db_;
    bus::local_bus bus_;
    std::unique_ptr<hub::hub> hub_;
    std::unique_ptr<chat::service> chat_;
    std::unique_ptr<auth::token_verifier> verifier_;
    metrics metrics_;
    std::unique_ptr<rest_api> api_;
};

TEST_F(rest_api_routes, every_route_of_the_router_is_an_operation_of_the_openapi_document) {
    const json::object doc = json::parse(openapi_document()).as_object();
    const json::object& paths = doc.at("paths").as_object();
    const auto routes = api_->routes();
    ASSERT_GT(routes.size(), 30u) << "the router lists its routes";
    for (const auto& route : routes) {
        const auto [method, path] = openapi_operation(route);
        const auto* item = paths.if_contains(path);
        if (item == nullptr) {
            ADD_FAILURE() << route << ": docs/openapi.json has no path " << path;
            continue;
        }
        EXPECT_NE(item->as_object().if_contains(method), nullptr)
            << route << ": docs/openapi.json has no " << method << " operation on " << path;
    }
}

TEST(openapi_document, is_the_file_in_docs_and_an_openapi_3_1_document) {
    std::ifstream in{fs::path{WRITEEN_SOURCE_DIR} / "docs" / "openapi.json", std::ios::binary};
    std::ostringstream file;
    file << in.rdbuf();
    EXPECT_EQ(file.str(), openapi_document()) << "the embedded copy is docs/openapi.json";
    const json::object doc = json::parse(openapi_document()).as_object();
    EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
    EXPECT_TRUE(doc.at("components").as_object().contains("schemas"));
}

TEST(router, lists_its_patterns_with_their_methods) {
    router r;
    const handler nothing = [](request&) -> net::awaitable<response> { co_return response{}; };
    r.add(bhttp::verb::get, "/healthz", nothing, false);
    r.add(bhttp::verb::delete_, "/api/messages/:id/reactions/:emoji", nothing);
    EXPECT_EQ(r.patterns(), (std::vector<std::string>{"GET /healthz", "DELETE /api/messages/:id/reactions/:emoji"}));
    EXPECT_EQ(openapi_operation(r.patterns()[1]), (std::pair<std::string, std::string>{"delete", "/api/messages/{id}/reactions/{emoji}"}));
}

}  // namespace
}  // namespace writeen::http
