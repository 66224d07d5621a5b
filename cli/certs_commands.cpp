#include "certs_commands.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "rivet/client/dev_pki.hpp"

namespace rivet::cli {
namespace {

namespace client = rivet::client;

struct InitArguments {
  std::string dir;
  std::vector<std::string> server_dns;
  std::vector<std::string> server_ips;
  std::string client_name = client::DevPkiOptions().client_name;
  int days = client::DevPkiOptions().days;
};

struct IssueClientArguments {
  std::string ca_dir;
  std::string name;
  std::string cert_file;
  std::string key_file;
  int days = client::DevPkiOptions().days;
};

// Given names come on top of the defaults: the CLI's own default host (127.0.0.1) must keep
// working with the server certificate.
void addMissing(std::vector<std::string>& names, const std::vector<std::string>& more) {
  for (const auto& name : more) {
    if (std::ranges::find(names, name) == names.end()) names.push_back(name);
  }
}

int initPki(const InitArguments& arguments) {
  client::DevPkiOptions options;
  addMissing(options.server_dns, arguments.server_dns);
  addMissing(options.server_ips, arguments.server_ips);
  options.client_name = arguments.client_name;
  options.days = arguments.days;
  if (auto status = client::makeDevPki(arguments.dir, options); !status.ok()) {
    return reportFailure(status);
  }
  const auto files = client::devPkiFiles(arguments.dir);
  std::cout << "wrote a development PKI (not for production: the CA key is not encrypted):\n";
  for (const auto& file : {files.ca_cert, files.ca_key, files.server_cert, files.server_key,
                           files.client_cert, files.client_key}) {
    std::cout << "  " << file << '\n';
  }
  std::cout << "use it with: rivet --certs " << arguments.dir << " health\n";
  return kExitOk;
}

int issueClient(const IssueClientArguments& arguments) {
  if (auto status =
          client::issueClientCertificate(arguments.ca_dir, arguments.name, arguments.cert_file,
                                         arguments.key_file, arguments.days);
      !status.ok()) {
    return reportFailure(status);
  }
  std::cout << "wrote " << arguments.cert_file << " and " << arguments.key_file
            << " for CN=" << arguments.name << '\n';
  return kExitOk;
}

}  // namespace

void addCertsCommands(CLI::App& app, Commands& commands) {
  CLI::App* certs = app.add_subcommand("certs", "Create a development PKI for mutual TLS");
  certs->require_subcommand(1);

  auto init_arguments = std::make_shared<InitArguments>();
  CLI::App* init = certs->add_subcommand(
      "init", "Write a CA, a server and a client certificate into DIR (refuses to overwrite)");
  init->add_option("dir", init_arguments->dir, "directory to create")->required();
  init->add_option("--server-dns", init_arguments->server_dns,
                   "DNS name of the server, besides localhost (repeatable)");
  init->add_option("--server-ip", init_arguments->server_ips,
                   "IP address of the server, besides 127.0.0.1 and ::1 (repeatable)");
  init->add_option("--client-name", init_arguments->client_name, "CN of the client certificate")
      ->capture_default_str();
  init->add_option("--days", init_arguments->days, "validity of the certificates")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  commands.push_back({init, [init_arguments] { return initPki(*init_arguments); }});

  auto issue_arguments = std::make_shared<IssueClientArguments>();
  CLI::App* issue = certs->add_subcommand(
      "issue-client", "Issue another client certificate signed by the CA of a PKI directory");
  issue->add_option("--ca-dir", issue_arguments->ca_dir, "directory with ca.pem and ca.key")
      ->required();
  issue->add_option("--name", issue_arguments->name, "CN of the new certificate")->required();
  issue->add_option("--out-cert", issue_arguments->cert_file, "where to write the certificate")
      ->required();
  issue->add_option("--out-key", issue_arguments->key_file, "where to write its key")->required();
  issue->add_option("--days", issue_arguments->days, "validity of the certificate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  commands.push_back({issue, [issue_arguments] { return issueClient(*issue_arguments); }});
}

}  // namespace rivet::cli
