// lienthong-gateway: the server. Reads one configuration file, wires the components
// (gateway/app), serves until SIGINT or SIGTERM, then drains and flushes the audit. SIGHUP
// reloads the trust directory and the access policy.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "gateway/app/gateway.h"
#include "gateway/core/log.h"

int main(int argc, char** argv) {
  CLI::App cli{"lienthong-gateway: the lienthong data-exchange gateway"};
  std::string config_file;
  cli.add_option("-c,--config", config_file, "configuration file (TOML)")->required();
  bool check_only = false;
  cli.add_flag("--check", check_only, "load and validate the configuration, then exit");
  CLI11_PARSE(cli, argc, argv);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // reload trust and policy
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    auto config = lienthong::app::load_gateway_config(config_file);
    if (!config) {
      std::cerr << "lienthong-gateway: " << config.error().detail << "\n";
      return 2;
    }
    spdlog::set_level(spdlog::level::from_str(config->log_level));
    auto gateway = lienthong::app::Gateway::build(std::move(*config));
    if (!gateway) {
      std::cerr << "lienthong-gateway: " << error_code_name(gateway.error().code) << ": "
                << gateway.error().detail << "\n";
      return 1;
    }
    if (check_only) {
      std::cout << "configuration OK\n";
      return 0;
    }
    if (auto ok = (*gateway)->start(); !ok) {
      std::cerr << "lienthong-gateway: " << ok.error().detail << "\n";
      return 1;
    }
    std::cout << "lienthong-gateway ready: https=" << (*gateway)->http_port()
              << " thrift=" << (*gateway)->thrift_port() << std::endl;
    int received = 0;
    for (;;) {
      sigwait(&stop_signals, &received);
      if (received != SIGHUP) break;
      (void)(*gateway)->reload("SIGHUP");  // logs what it did or why it refused
    }
    LT_LOG(info, "signal {}: stopping", received);
    (*gateway)->stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "lienthong-gateway: startup failed: " << e.what() << "\n";
    return 1;
  }
}
