// wallboard_screenshot URL OUT.png [WIDTH HEIGHT [SECONDS]]: opens URL (e.g. routerwall's with
// #token=...) in headless Chromium, waits until the page has drawn SECONDS' worth of events
// (default 3), and writes a PNG of the viewport. How docs/wallboard.png is made
// (docs/wallboard.md): `chromium --screenshot` shoots at page load, before the first event arrives.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "integration/wallboard/chromium.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: wallboard_screenshot URL OUT.png [WIDTH HEIGHT [SECONDS]]\n");
    return 2;
  }
  try {
    const int width = argc >= 5 ? std::atoi(argv[3]) : 1600;
    const int height = argc >= 5 ? std::atoi(argv[4]) : 900;
    const double seconds = argc == 6 ? std::atof(argv[5]) : 3;
    char pattern[] = "/tmp/wallboard-shot-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    const std::filesystem::path dir = pattern;
    {
      router::it::HeadlessChromium browser(dir, width, height);
      browser.open(argv[1]);
      if (!browser.wait_for("Number(document.body.dataset.updates || 0) >= 1",
                            std::chrono::seconds(20))) {
        std::fprintf(stderr, "wallboard_screenshot: the page drew no snapshot within 20 s\n");
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      std::ofstream(argv[2], std::ios::binary) << browser.screenshot_png();
    }
    std::filesystem::remove_all(dir);
    std::printf("wrote %s\n", argv[2]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wallboard_screenshot: %s\n", e.what());
    return 1;
  }
}
