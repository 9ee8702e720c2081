// coredns_dns_* counters: per-thread counts summed at scrape time, CoreDNS's type and rcode
// labels, and only the series that counted something.

#include "metrics/query_counters.h"

#include <gtest/gtest.h>

#include <thread>

namespace vmdns::metrics {
namespace {

TEST(QueryCountersTest, TypeLabels) {
  struct Case {
    uint16_t qtype;
    std::string_view label;
  };
  for (const Case& c : std::vector<Case>{{1, "A"},
                                         {28, "AAAA"},
                                         {33, "SRV"},
                                         {12, "PTR"},
                                         {255, "ANY"},
                                         {252, "AXFR"},
                                         {65, "HTTPS"},
                                         {99, "other"},
                                         {0, "other"},
                                         {65535, "other"}}) {
    EXPECT_EQ(type_label(type_label_index(c.qtype)), c.label) << c.qtype;
  }
}

TEST(QueryCountersTest, RcodeLabels) {
  EXPECT_EQ(rcode_label(0), "NOERROR");
  EXPECT_EQ(rcode_label(3), "NXDOMAIN");
  EXPECT_EQ(rcode_label(5), "REFUSED");
  EXPECT_EQ(rcode_label(12), "RCODE12");
}

TEST(QueryCountersTest, SumsEveryThread) {
  QueryMetrics metrics;
  auto work = [&metrics](int queries) {
    QueryCounters& mine = metrics.add_thread();
    for (int i = 0; i < queries; ++i) {
      mine.count_request(Proto::Udp, Family::Ipv4, 1, 40);
      mine.count_response(Responder::Kubernetes, 0, 1, 100'000, Proto::Udp, 90);
    }
  };
  std::thread a(work, 3);
  std::thread b(work, 4);
  a.join();
  b.join();
  QueryCounters& tcp = metrics.add_thread();
  tcp.count_request(Proto::Tcp, Family::Ipv6, 33, 60);
  tcp.count_response(Responder::None, 5, 33, 1'000'000, Proto::Tcp, 60);

  Exposition out;
  metrics.write(out, "dns://:53");
  const std::string& text = out.text();
  const std::string base = R"(server="dns://:53",zone=".",view="",)";
  EXPECT_NE(text.find("coredns_dns_requests_total{" + base +
                      R"(proto="udp",family="1",type="A"} 7)" + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("coredns_dns_requests_total{" + base +
                      R"(proto="tcp",family="2",type="SRV"} 1)" + "\n"),
            std::string::npos);
  EXPECT_NE(text.find("coredns_dns_responses_total{" + base +
                      R"(rcode="NOERROR",plugin="kubernetes"} 7)" + "\n"),
            std::string::npos);
  EXPECT_NE(text.find("coredns_dns_responses_total{" + base + R"(rcode="REFUSED",plugin=""} 1)"),
            std::string::npos);
  EXPECT_NE(text.find("coredns_dns_request_duration_seconds_count{" + base + R"(type="A"} 7)"),
            std::string::npos);
  EXPECT_NE(text.find("coredns_dns_response_size_bytes_sum{" + base + R"(proto="udp"} 630)"),
            std::string::npos);
  // Nothing was counted for AAAA: no series.
  EXPECT_EQ(text.find(R"(type="AAAA")"), std::string::npos);
}

}  // namespace
}  // namespace vmdns::metrics
