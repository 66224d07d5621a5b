// Bad input, wrong certificates, broken packs and broken plugins: each gets a clear error and
// changes nothing.
#include <gtest/gtest.h>

#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

class BadInputTest : public SharedRivetdTest<BadInputTest> {
 protected:
  std::size_t executionCount() {
    auto listed = client_.list({"", "", 500, ""});
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? (*listed)["items"].size() : 0;
  }

  // POSTs `body` and checks the documented status and error code.
  void expectRejected(const std::string& body, int http_status, const std::string& code,
                      const client::Headers& headers = {{"Content-Type", "application/json"}}) {
    auto response = client_.request("POST", "/v1/executions", body, headers);
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->status, http_status) << body.substr(0, 200) << " -> " << response->body;
    auto json = nlohmann::json::parse(response->body, nullptr, false);
    ASSERT_TRUE(json.is_object()) << response->body;
    EXPECT_EQ(json["error"]["code"], code) << response->body;
    EXPECT_FALSE(json["error"]["message"].get<std::string>().empty());
  }

  client::Client client_ = clientFor(*rivetd_);
};

TEST_F(BadInputTest, EveryMalformedRequestGetsItsDocumentedErrorAndCreatesNothing) {
  const auto before = executionCount();
  expectRejected("{not json", 400, "malformed_json");
  expectRejected("[1, 2]", 400, "invalid_request");
  expectRejected(R"({"parameters": {}})", 400, "invalid_request");
  expectRejected(R"({"action": "examples.typed", "extra": 1})", 400, "invalid_request");
  expectRejected(R"({"action": "examples.typed", "parameters": [1]})", 400, "invalid_request");
  expectRejected(R"({"action": "nope.nothing"})", 404, "unknown_action");
  expectRejected(R"({"action": "../../etc/passwd"})", 404, "unknown_action");
  expectRejected(R"({"action": "examples.echo_args"})", 415, "unsupported_media_type",
                 {{"Content-Type", "text/plain"}});
  expectRejected(std::string(R"({"action": "examples.echo_args", "parameters": {"message": ")") +
                     std::string(2 << 20, 'x') + "\"}}",
                 413, "body_too_large");
  EXPECT_EQ(executionCount(), before);
}

TEST_F(BadInputTest, WrongParameterTypesAre422WithDetailsAndCreateNothing) {
  const auto before = executionCount();
  auto response = client_.request(
      "POST", "/v1/executions",
      R"({"action": "examples.fail", "parameters": {"code": "three", "bogus": 1}})",
      {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 422) << response->body;
  auto json = nlohmann::json::parse(response->body);
  EXPECT_EQ(json["error"]["code"], "invalid_parameters");
  std::set<std::string> named;
  for (const auto& detail : json["error"]["details"]) named.insert(detail["parameter"]);
  EXPECT_EQ(named, (std::set<std::string>{"code", "bogus"})) << response->body;

  auto runner_parameter = client_.run("linux.disk_free", {{"cmd", "rm -rf /"}});
  ASSERT_TRUE(runner_parameter.apiError());
  EXPECT_EQ(runner_parameter.apiError()->code, "invalid_parameters");
  EXPECT_EQ(executionCount(), before);
}

TEST_F(BadInputTest, UnknownRoutesAndMethods) {
  auto route = client_.request("GET", "/v1/nothing-here");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->status, 404);
  auto method = client_.request("DELETE", "/v1/actions");
  ASSERT_TRUE(method.ok());
  EXPECT_EQ(method->status, 405);
  EXPECT_EQ(method->header("Allow"), "GET");
}

TEST_F(BadInputTest, AClientWithoutCertificateIsRefused) {
  const auto pki = client::devPkiFiles(rivetd_->pkiDir().string());
  const auto url = "https://127.0.0.1:" + std::to_string(rivetd_->port()) + "/v1/health";
  auto without = runProgram({"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", pki.ca_cert, url});
  EXPECT_NE(without.exit_code, 0) << without.out;
  EXPECT_EQ(without.out.find("\"status\""), std::string::npos);
  // The same call with the client certificate works, so the refusal above is about the cert.
  auto with = runProgram({"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", pki.ca_cert,
                          "--cert", pki.client_cert, "--key", pki.client_key, url});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_NE(with.out.find("\"status\":\"ok\""), std::string::npos) << with.out;
}

TEST_F(BadInputTest, AClientCertificateFromAnotherCaIsRefused) {
  TempDir other;
  ASSERT_TRUE(client::makeDevPki(other.child("pki")).ok());
  const auto ours = client::devPkiFiles(rivetd_->pkiDir().string());
  const auto theirs = client::devPkiFiles(other.child("pki"));
  client::Client stranger(client::Endpoint{"127.0.0.1", rivetd_->port()},
                          client::TlsFiles{ours.ca_cert, theirs.client_cert, theirs.client_key});
  const auto before = executionCount();
  auto run = stranger.run("examples.echo_args", {{"message", "x"}});
  EXPECT_FALSE(run.ok());
  EXPECT_FALSE(run.apiError().has_value()) << "the server answered a stranger";
  EXPECT_EQ(executionCount(), before);
}

TEST_F(BadInputTest, TheRequesterIsTheClientCertificateIdentity) {
  TempDir dir;
  const auto cert = dir.child("alice.pem");
  const auto key = dir.child("alice.key");
  ASSERT_TRUE(
      client::issueClientCertificate(rivetd_->pkiDir().string(), "alice", cert, key).ok());
  const auto ca = client::devPkiFiles(rivetd_->pkiDir().string()).ca_cert;
  client::Client alice(client::Endpoint{"127.0.0.1", rivetd_->port()},
                       client::TlsFiles{ca, cert, key});
  auto ended = runToEnd(alice, "examples.echo_args", {{"message", "hi"}});
  EXPECT_NE(ended["requester"]["subject"].get<std::string>().find("CN=alice"), std::string::npos)
      << ended.dump();
  EXPECT_NE(ended["requester"]["sans"].dump().find("DNS:alice"), std::string::npos)
      << ended.dump();
}

TEST(BrokenPacks, AreListedUnavailableWithTheReasonAndRefused) {
  // A packs directory with one good pack and broken ones.
  TempDir packs;
  packs.write("good/pack.yaml", "name: good\nversion: 0.1.0\n");
  packs.write("good/actions/hello.yaml",
              "name: hello\nrunner_type: local-shell-cmd\nparameters:\n"
              "  cmd: {default: 'echo hello', immutable: true}\n");
  packs.write(
      "good/actions/escape.yaml",
      "name: escape\nrunner_type: local-shell-script\nentry_point: ../../../../etc/passwd\n");
  packs.write("good/actions/broken.yaml", "name: [unclosed\n");
  packs.write("good/actions/norunner.yaml",
              "name: norunner\nrunner_type: python-script\nentry_point: x.py\n");
  packs.write("bad/pack.yaml", "name: : :\n");

  RivetdProcess rivetd({"rivetd.packs_dir=" + packs.path().string()});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);

  auto listed = client.packs();
  ASSERT_TRUE(listed.ok());
  std::map<std::string, nlohmann::json> by_ref;
  for (const auto& pack : (*listed)["items"]) by_ref[pack["ref"]] = pack;
  ASSERT_TRUE(by_ref.contains("good")) << listed->dump();
  EXPECT_TRUE(by_ref["good"]["available"].get<bool>());
  ASSERT_TRUE(by_ref.contains("bad")) << listed->dump();
  EXPECT_FALSE(by_ref["bad"]["available"].get<bool>());
  EXPECT_FALSE(by_ref["bad"]["error"].get<std::string>().empty());

  auto escape = client.action("good.escape");
  ASSERT_TRUE(escape.ok()) << escape.status().message();
  EXPECT_FALSE((*escape)["available"].get<bool>());
  EXPECT_NE((*escape)["error"].get<std::string>().find("escapes"), std::string::npos)
      << escape->dump();
  auto norunner = client.action("good.norunner");
  ASSERT_TRUE(norunner.ok());
  EXPECT_NE((*norunner)["error"].get<std::string>().find("python-script"), std::string::npos);

  auto refused = client.run("good.escape", nlohmann::json::object());
  ASSERT_TRUE(refused.apiError());
  EXPECT_EQ(refused.apiError()->http_status, 409);
  EXPECT_EQ(refused.apiError()->code, "action_unavailable");

  auto hello = runToEnd(client, "good.hello");
  EXPECT_EQ(hello["status"], "succeeded") << hello.dump();
  EXPECT_EQ(readAll(client, hello["id"]), "hello\n");
}

TEST(PluginRefusal, RivetdRefusesToStartWithAPluginOfAnotherAbi) {
  RivetdProcess rivetd({"rivetd.plugin_dir=" RIVET_FIXTURE_PLUGIN_DIR, "rivetd.plugins=wrong_abi"});
  EXPECT_FALSE(rivetd.start());
  const auto log = rivetd.log();
  EXPECT_NE(log.find("wrong_abi.so"), std::string::npos) << log;
  EXPECT_NE(log.find("ABI version"), std::string::npos) << log;
}

TEST(PluginRefusal, RivetdRefusesAnUnknownConfigKey) {
  RivetdProcess rivetd({"transport-https.prot=1"});
  EXPECT_FALSE(rivetd.start());
  EXPECT_NE(rivetd.log().find("'prot'"), std::string::npos) << rivetd.log();
}

}  // namespace
}  // namespace rivet::test
