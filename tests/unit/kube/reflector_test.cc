// The reflector over a scripted API server and a clock that only moves when it waits: what it
// asks for, what it tells the sink, what it reports, and how long it waits, for each way the
// API server answers (pages, watch events cut anywhere, 410 in a list and in a watch, 429 with
// Retry-After, 5xx, a page cut off, 401, 403).

#include "kube/reflector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scripted_api.h"

namespace vmdns::kube {
namespace {

using testing::FakeClock;
using testing::RecordingSink;
using testing::ScriptedTransport;
using testing::service_event;
using testing::service_list;
using testing::status_body;
using Ms = WaitClock::Duration;

constexpr const char* kFirstPage = "/api/v1/services?limit=2";

std::string watch_from(const std::string& version) {
  return "/api/v1/services?watch=1&resourceVersion=" + version +
         "&allowWatchBookmarks=true&timeoutSeconds=";
}

// One reflector of Services in all namespaces, two objects a page, backoff from 200 ms.
class ReflectorTest : public ::testing::Test {
 protected:
  ReflectorTest() : api(stop), clock(stop) {}

  // Runs the reflector until `lists` lists are complete, then stops it: a relist's watch stays
  // open (held) after the script, as a real one does.
  void run_until_listed(int lists) {
    std::thread reflector([this] { run(); });
    {
      std::unique_lock lock(mutex);
      reported.wait(lock, [&] {
        return std::count(statuses.begin(), statuses.end(), ReflectorStatus::Listed) >= lists;
      });
    }
    api.wait_played_out();  // the watch beside the relist asks again after its events
    stop.stop();
    reflector.join();
  }

  void run(Kind kind = Kind::Service, std::string namespace_scope = "") {
    ReflectorOptions options;
    options.kind = kind;
    options.namespace_scope = std::move(namespace_scope);
    options.page_size = 2;
    options.backoff_initial = Ms(200);
    options.backoff_cap = Ms(30000);
    options.resync_period = resync_period;
    Reflector reflector(
        options, api, sink, "origin", stop,
        [this](ReflectorStatus status, const std::string& reason) {
          {
            std::lock_guard lock(mutex);  // a relist's watch reports from its own thread
            statuses.push_back(status);
            reasons.push_back(reason);
          }
          reported.notify_all();
        },
        &clock);
    reflector.run();
    EXPECT_TRUE(api.played_out());
  }

  StopSignal stop;
  ScriptedTransport api;
  FakeClock clock;
  RecordingSink sink;
  std::chrono::seconds resync_period{600};
  std::mutex mutex;
  std::condition_variable reported;
  std::vector<ReflectorStatus> statuses;
  std::vector<std::string> reasons;
};

void expect_between(Ms wait, Ms low, Ms high) {
  EXPECT_GE(wait, low);
  EXPECT_LE(wait, high);
}

TEST_F(ReflectorTest, ListsPageByPageThenWatchesFromTheListsVersion) {
  std::string deleted = service_event("DELETED", "a", "9");
  api.page(kFirstPage, 200, service_list({"a", "b"}, "t", "7"))
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c"}, "", "7"))
      // Events arrive cut anywhere; a BOOKMARK moves the version on without a change.
      .watch(watch_from("7"), {service_event("ADDED", "d", "8") + deleted.substr(0, 10),
                               deleted.substr(10), service_event("BOOKMARK", "", "12")});
  run();
  EXPECT_EQ(api.asked().back().rfind("WATCH " + watch_from("12"), 0), 0u) << api.asked().back();
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{
                              "replace Service prod/a Service prod/b Service prod/c",
                              "upsert Service prod/d", "remove Service prod/a"}));
  EXPECT_EQ(statuses, (std::vector<ReflectorStatus>{ReflectorStatus::Listed,
                                                    ReflectorStatus::Watching}));
  EXPECT_TRUE(clock.waits().empty());
}

TEST_F(ReflectorTest, RetryAfterIsWaitedAndTheSamePageAskedAgain) {
  api.page(kFirstPage, 200, service_list({"a", "b"}, "t", "7"))
      .page("/api/v1/services?limit=2&continue=t", 429,
            status_body(429, "TooManyRequests", "slow down"), std::chrono::seconds(3))
      .page("/api/v1/services?limit=2&continue=t", 503, status_body(503, "", "unavailable"))
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c"}, "", "7"))
      .watch(watch_from("7"), {}, 429);
  run();
  std::vector<Ms> waits = clock.waits();
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_EQ(waits[0], Ms(3000));            // Retry-After: 3, longer than the backoff
  expect_between(waits[1], Ms(200), Ms(400));  // a 503 without one: the backoff, doubled
  expect_between(waits[2], Ms(100), Ms(200));  // a 429 without Retry-After: the backoff,
                                               // started over by the good list
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{
                              "replace Service prod/a Service prod/b Service prod/c"}));
}

TEST_F(ReflectorTest, AWatchsRetryAfterIsHonoured) {
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"))
      .watch(watch_from("7"), {}, 429, "", std::chrono::seconds(7));
  run();
  EXPECT_EQ(clock.waits(), std::vector<Ms>{Ms(7000)});
}

TEST_F(ReflectorTest, ServerErrorsBackOffThenTheListStartsOver) {
  for (int i = 0; i < 5; ++i) {
    api.page(kFirstPage, 503, status_body(503, "ServiceUnavailable", "shutting down"));
  }
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"));
  run();
  std::vector<Ms> waits = clock.waits();
  ASSERT_EQ(waits.size(), 5u);
  for (size_t i = 0; i < waits.size(); ++i) {
    Ms ceiling = Ms(200) * (1 << i);
    expect_between(waits[i], ceiling / 2, ceiling);  // four page retries, then the list's
  }
  EXPECT_EQ(statuses,
            (std::vector<ReflectorStatus>{ReflectorStatus::Unreachable, ReflectorStatus::Listed}));
  EXPECT_EQ(reasons[0], "list /api/v1/services: HTTP 503: ServiceUnavailable: shutting down");
}

TEST_F(ReflectorTest, APageCutOffIsAskedAgainAndNothingOfItIsUsed) {
  std::string second = service_list({"c", "d"}, "", "7");
  HttpResult cut;
  cut.status = 200;
  cut.body = second.substr(0, second.size() / 2);
  cut.error = "transfer closed with 80 bytes remaining to read";
  api.page(kFirstPage, 200, service_list({"a", "b"}, "t", "7"))
      .failed_page("/api/v1/services?limit=2&continue=t", cut)
      .page("/api/v1/services?limit=2&continue=t", 200, second);
  run();
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{
                "replace Service prod/a Service prod/b Service prod/c Service prod/d"}));
  ASSERT_EQ(clock.waits().size(), 1u);
}

TEST_F(ReflectorTest, AListSurvivesTheServerGoneBetweenTwoPages) {
  HttpResult refused;
  refused.error = "Failed to connect to 10.0.0.1 port 6443: Connection refused";
  api.page(kFirstPage, 200, service_list({"a", "b"}, "t", "7"))
      .failed_page("/api/v1/services?limit=2&continue=t", refused)
      .failed_page("/api/v1/services?limit=2&continue=t", refused)
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c", "d"}, "u", "7"))
      // Four in a row after a good page are still retried; the count starts over per page.
      .failed_page("/api/v1/services?limit=2&continue=u", refused)
      .page("/api/v1/services?limit=2&continue=u", 200, service_list({"e"}, "", "7"));
  run();
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{
                              "replace Service prod/a Service prod/b Service prod/c "
                              "Service prod/d Service prod/e"}));
  EXPECT_EQ(clock.waits().size(), 3u);
}

TEST_F(ReflectorTest, EachPageAnsweredStartsTheBackoffOver) {
  // A long list through several restarts of the API server waits from the start of the backoff
  // at each, not from where the last page's retries left it.
  HttpResult refused;
  refused.error = "Failed to connect to 10.0.0.1 port 6443: Connection refused";
  api.page(kFirstPage, 200, service_list({"a", "b"}, "t", "7"))
      .failed_page("/api/v1/services?limit=2&continue=t", refused)
      .failed_page("/api/v1/services?limit=2&continue=t", refused)
      .failed_page("/api/v1/services?limit=2&continue=t", refused)
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c", "d"}, "u", "7"))
      .failed_page("/api/v1/services?limit=2&continue=u", refused)
      .page("/api/v1/services?limit=2&continue=u", 200, service_list({"e"}, "", "7"));
  run();
  std::vector<Ms> waits = clock.waits();
  ASSERT_EQ(waits.size(), 4u);
  expect_between(waits[0], Ms(100), Ms(200));
  expect_between(waits[1], Ms(200), Ms(400));
  expect_between(waits[2], Ms(400), Ms(800));
  expect_between(waits[3], Ms(100), Ms(200));  // the next page's first retry
}

TEST_F(ReflectorTest, NoAnswerToTheFirstPageIsAFailedList) {
  HttpResult refused;
  refused.error = "Failed to connect to 10.0.0.1 port 6443: Connection refused";
  api.failed_page(kFirstPage, refused).page(kFirstPage, 200, service_list({"a"}, "", "7"));
  run();
  EXPECT_EQ(statuses,
            (std::vector<ReflectorStatus>{ReflectorStatus::Unreachable, ReflectorStatus::Listed}));
}

TEST_F(ReflectorTest, ListsAndWatchesGoOverTheirOwnConnections) {
  // A relist's watch runs beside its list: each has its own connection (a curl handle serves
  // one request at a time).
  ScriptedTransport watches(stop);
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"));
  watches.watch(watch_from("7"), {service_event("ADDED", "b", "8")});
  ReflectorOptions options;
  options.page_size = 2;
  Reflector reflector(
      options, api, sink, "origin", stop, [](ReflectorStatus, const std::string&) {}, &clock,
      &watches);
  reflector.run();
  EXPECT_TRUE(api.played_out());
  EXPECT_TRUE(watches.played_out());
  EXPECT_EQ(api.asked(), std::vector<std::string>{"GET " + std::string(kFirstPage)});
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"replace Service prod/a", "upsert Service prod/b"}));
}

std::string expired_event() {
  return R"({"type":"ERROR","object":)" + status_body(410, "Expired", "too old") + "}\n";
}

TEST_F(ReflectorTest, AnExpiredContinueInARelistStartsItOverWithoutLosingDeletions) {
  api.page(kFirstPage, 200, service_list({"a", "b"}, "", "7"))
      .watch(watch_from("7"), {expired_event()})
      // The relist: a and b passed on, then the token expires; b alone is left, and c is new.
      .page(kFirstPage, 200, service_list({"a", "b"}, "t", "20"))
      .page("/api/v1/services?limit=2&continue=t", 410,
            status_body(410, "Expired", "The provided continue parameter is too old"))
      .page(kFirstPage, 200, service_list({"b"}, "u", "21"))
      .page("/api/v1/services?limit=2&continue=u", 200, service_list({"c"}, "", "21"))
      // The watch beside the relist, from its first page's version: still good, kept.
      .watch(watch_from("20"), {})
      .held();
  run_until_listed(2);
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"replace Service prod/a Service prod/b",
                                      "upsert Service prod/a", "upsert Service prod/b",
                                      "upsert Service prod/b", "upsert Service prod/c",
                                      "retain Service prod/b Service prod/c"}));
  EXPECT_EQ(sink.held(), "Service prod/b@21 Service prod/c@21");
  EXPECT_TRUE(clock.waits().empty());
}

// A relist of a, b (page 1) and c (page 2) at resourceVersion 20, with the watch beside it
// from 20 telling `events` between the two pages: what the sink is told, and what it holds.
struct RelistCase {
  const char* name;
  std::vector<std::string> events;
  std::vector<std::string> told;  // after the first list and the relist's first page
  std::string held;
  std::string last_version;  // the watch's, when it is watched again
};

void PrintTo(const RelistCase& c, std::ostream* out) { *out << c.name; }

class RelistTest : public ReflectorTest, public ::testing::WithParamInterface<RelistCase> {};

TEST_P(RelistTest, TheWatchBesideARelistIsServedAtOnceAndWinsOverTheList) {
  const RelistCase& c = GetParam();
  std::string events;
  for (const std::string& event : c.events) {
    events += event;
  }
  testing::Gate watched;
  api.page(kFirstPage, 200, service_list({"a", "b"}, "", "7"))
      .watch(watch_from("7"), {expired_event()})
      .page(kFirstPage, 200, service_list({"a", "b"}, "t", "20"))
      .watch(watch_from("20"), {events})
      .then_open(watched)
      // The second page comes once the watch's events are in: they are served before the
      // list ends.
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c"}, "", "20"))
      .after(watched)
      .watch(watch_from(c.last_version), {})
      .held();
  run_until_listed(2);
  std::vector<std::string> lines = sink.lines();
  std::vector<std::string> expected = {"replace Service prod/a Service prod/b",
                                       "upsert Service prod/a", "upsert Service prod/b"};
  expected.insert(expected.end(), c.told.begin(), c.told.end());
  EXPECT_EQ(lines, expected);
  EXPECT_EQ(sink.held(), c.held);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), ReflectorStatus::Listed), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RelistTest,
    ::testing::Values(
        RelistCase{"AChangeIsServedBeforeTheRelistEnds",
                   {service_event("MODIFIED", "a", "21")},
                   {"upsert Service prod/a", "upsert Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c"},
                   "Service prod/a@21 Service prod/b@20 Service prod/c@20", "21"},
        RelistCase{"ADeleteIsServedBeforeTheRelistEnds",
                   {service_event("DELETED", "b", "21")},
                   {"remove Service prod/b", "upsert Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c"},
                   "Service prod/a@20 Service prod/c@20", "21"},
        // c changed after the list's snapshot, before its page came: the page's c is older.
        RelistCase{"AnObjectTheWatchChangedKeepsTheWatchsVersionOverALaterPage",
                   {service_event("MODIFIED", "c", "21")},
                   {"upsert Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c"},
                   "Service prod/a@20 Service prod/b@20 Service prod/c@21", "21"},
        RelistCase{"AnObjectTheWatchDeletedIsNotBroughtBackByALaterPage",
                   {service_event("DELETED", "c", "21")},
                   {"remove Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c"},
                   "Service prod/a@20 Service prod/b@20", "21"},
        RelistCase{"AnObjectAddedDuringTheRelistIsKept",
                   {service_event("ADDED", "d", "21"), service_event("MODIFIED", "d", "22")},
                   {"upsert Service prod/d", "upsert Service prod/d", "upsert Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c Service prod/d"},
                   "Service prod/a@20 Service prod/b@20 Service prod/c@20 Service prod/d@22", "22"},
        RelistCase{"AnObjectDeletedAndAddedAgainIsTheWatchsLast",
                   {service_event("DELETED", "a", "21"), service_event("ADDED", "a", "22")},
                   {"remove Service prod/a", "upsert Service prod/a", "upsert Service prod/c",
                    "retain Service prod/a Service prod/b Service prod/c"},
                   "Service prod/a@22 Service prod/b@20 Service prod/c@20", "22"}));

TEST_F(ReflectorTest, AWatchBesideARelistThatExpiresStartsBothOver) {
  testing::Gate expired;
  testing::Gate second_page;
  api.page(kFirstPage, 200, service_list({"a", "b"}, "", "7"))
      .watch(watch_from("7"), {expired_event()})
      .page(kFirstPage, 200, service_list({"a", "b"}, "t", "20"))
      .watch(watch_from("20"), {expired_event()})
      .after(second_page)
      .then_open(expired)
      // Asked for before the watch expires, answered after: not used.
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c"}, "", "20"))
      .when_asked_open(second_page)
      .after(expired)
      .page(kFirstPage, 200, service_list({"a", "c"}, "u", "30"))
      .watch(watch_from("30"), {})
      .held()
      .page("/api/v1/services?limit=2&continue=u", 200, service_list({"d"}, "", "30"));
  run_until_listed(2);
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"replace Service prod/a Service prod/b",
                                      "upsert Service prod/a", "upsert Service prod/b",
                                      "upsert Service prod/a", "upsert Service prod/c",
                                      "upsert Service prod/d",
                                      "retain Service prod/a Service prod/c Service prod/d"}));
  EXPECT_EQ(sink.held(), "Service prod/a@30 Service prod/c@30 Service prod/d@30");
}

TEST_F(ReflectorTest, AWatchBesideARelistDoesNotEndForAResync) {
  // The relist outlasts the resync period (a page throttled for 3 s, the period 1 s): the
  // watch beside it goes on, as the list is the resync.
  resync_period = std::chrono::seconds(1);
  testing::Gate retried;
  testing::Gate watched;
  api.page(kFirstPage, 200, service_list({"a", "b"}, "", "7"))
      .watch(watch_from("7"), {expired_event()})
      .page(kFirstPage, 200, service_list({"a", "b"}, "t", "20"))
      .watch(watch_from("20"), {service_event("MODIFIED", "a", "21")})
      .after(retried)
      .then_open(watched)
      .held()
      .page("/api/v1/services?limit=2&continue=t", 429, status_body(429, "", "slow down"),
            std::chrono::seconds(3))
      .page("/api/v1/services?limit=2&continue=t", 200, service_list({"c"}, "", "20"))
      .when_asked_open(retried)
      .after(watched);
  run_until_listed(2);
  EXPECT_EQ(sink.held(), "Service prod/a@21 Service prod/b@20 Service prod/c@20");
  EXPECT_EQ(clock.waits(), std::vector<Ms>{Ms(3000)});
}

TEST_F(ReflectorTest, ForbiddenIsReportedWithTheVerbKindAndScopeThenRetried) {
  std::string path = "/apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstances?limit=2";
  std::string forbidden = status_body(403, "Forbidden", "virtualmachineinstances is forbidden");
  api.page(path, 403, forbidden).page(path, 403, forbidden);
  api.page(path, 200, R"({"metadata":{"resourceVersion":"5"},"items":[]})");
  run(Kind::VirtualMachineInstance, "prod");
  EXPECT_EQ(statuses, (std::vector<ReflectorStatus>{ReflectorStatus::Forbidden,
                                                    ReflectorStatus::Forbidden,
                                                    ReflectorStatus::Listed}));
  EXPECT_EQ(reasons[0],
            "forbidden: may not list virtualmachineinstances.kubevirt.io in namespace prod "
            "(RBAC)");
  std::vector<Ms> waits = clock.waits();
  ASSERT_EQ(waits.size(), 2u);  // a 403 is not retried as a page: the backoff, growing
  expect_between(waits[0], Ms(100), Ms(200));
  expect_between(waits[1], Ms(200), Ms(400));
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{"replace"}));
}

TEST_F(ReflectorTest, AForbiddenWatchNamesTheVerb) {
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"))
      .watch(watch_from("7"), {}, 403)
      .watch(watch_from("7"), {}, 403)
      .watch(watch_from("7"), {service_event("ADDED", "b", "8")});
  run();
  EXPECT_EQ(statuses, (std::vector<ReflectorStatus>{
                          ReflectorStatus::Listed, ReflectorStatus::Forbidden,
                          ReflectorStatus::Forbidden, ReflectorStatus::Watching}));
  EXPECT_EQ(reasons[1], "forbidden: may not watch services in all namespaces (RBAC)");
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"replace Service prod/a", "upsert Service prod/b"}));
}

TEST_F(ReflectorTest, UnauthorizedWatchIsWatchedAgainFromTheSameVersion) {
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"))
      .watch(watch_from("7"), {}, 401)
      .watch(watch_from("7"), {service_event("ADDED", "b", "8")});
  run();
  EXPECT_EQ(statuses, (std::vector<ReflectorStatus>{ReflectorStatus::Listed,
                                                    ReflectorStatus::Unreachable,
                                                    ReflectorStatus::Watching}));
  EXPECT_EQ(reasons[1], "watch /api/v1/services: HTTP 401: Failure: watch refused");
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"replace Service prod/a", "upsert Service prod/b"}));
}

TEST_F(ReflectorTest, AWatchCutMidEventResumesAfterTheLastWholeEvent) {
  std::string cut_event = service_event("ADDED", "e", "9");
  api.page(kFirstPage, 200, service_list({"a"}, "", "7"))
      .watch(watch_from("7"),
             {service_event("ADDED", "d", "8") + cut_event.substr(0, cut_event.size() / 2)},
             200, "transfer closed with outstanding read data remaining")
      .watch(watch_from("8"), {cut_event});
  run();
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{"replace Service prod/a",
                                                    "upsert Service prod/d",
                                                    "upsert Service prod/e"}));
  ASSERT_EQ(clock.waits().size(), 1u);
}

}  // namespace
}  // namespace vmdns::kube
