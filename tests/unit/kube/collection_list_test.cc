// list_collection over a scripted server: every page is asked for with `limit` and the previous
// page's `continue` token, each item decoded once, an expired token starts over, a failure
// names its page and status.

#include "kube/collection_list.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace vmdns::kube {
namespace {

// One answer of the script: the status and body the server gives to the request for `path`.
struct Page {
  std::string path;
  long status;
  std::string body;
};

std::string service_list(const std::vector<std::string>& names, const std::string& token,
                         const std::string& version = "7") {
  std::string items;
  for (const std::string& name : names) {
    items += std::string(items.empty() ? "" : ",") +
             R"({"metadata":{"name":")" + name +
             R"(","namespace":"prod"},"spec":{"clusterIP":"None","selector":{"a":"b"}}})";
  }
  std::string metadata = R"({"resourceVersion":")" + version + "\"" +
                         (token.empty() ? "" : R"(,"continue":")" + token + "\"") + "}";
  return R"({"kind":"ServiceList","apiVersion":"v1","metadata":)" + metadata +
         R"(,"items":[)" + items + "]}";
}

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)" +
         std::to_string(code) + R"(,"reason":")" + reason + R"(","message":")" + message + "\"}";
}

struct ListCase {
  const char* rule;
  std::string selectors;
  std::vector<Page> script;
  ListOutcome::End end;
  std::vector<std::string> names;  // the objects passed on, in order (restarts included)
  int restarts;
  std::string why;
};

// gtest prints a case by its rule: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const ListCase& c, std::ostream* out) { *out << c.rule; }

const char* kPath = "/api/v1/services";

const ListCase kCases[] = {
    {"one page: no continue token",
     "",
     {{"/api/v1/services?limit=2", 200, service_list({"a", "b"}, "")}},
     ListOutcome::End::Complete,
     {"a", "b"},
     0,
     ""},
    {"three pages: each continue token is sent back, URL-encoded",
     "",
     {{"/api/v1/services?limit=2", 200, service_list({"a", "b"}, "t/1=")},
      {"/api/v1/services?limit=2&continue=t%2F1%3D", 200, service_list({"c", "d"}, "t2")},
      {"/api/v1/services?limit=2&continue=t2", 200, service_list({"e"}, "", "9")}},
     ListOutcome::End::Complete,
     {"a", "b", "c", "d", "e"},
     0,
     ""},
    {"selectors come before limit",
     "labelSelector=kubevirt.io%3Dvirt-launcher",
     {{"/api/v1/services?labelSelector=kubevirt.io%3Dvirt-launcher&limit=2", 200,
       service_list({"a"}, "")}},
     ListOutcome::End::Complete,
     {"a"},
     0,
     ""},
    {"an expired continue token starts the list over",
     "",
     {{"/api/v1/services?limit=2", 200, service_list({"a", "b"}, "old")},
      {"/api/v1/services?limit=2&continue=old", 410,
       status_body(410, "Expired", "The provided continue parameter is too old")},
      {"/api/v1/services?limit=2", 200, service_list({"a", "c"}, "")}},
     ListOutcome::End::Complete,
     {"a", "b", "a", "c"},
     1,
     ""},
    {"403 on a later page: the status and the server's message",
     "",
     {{"/api/v1/services?limit=2", 200, service_list({"a", "b"}, "t")},
      {"/api/v1/services?limit=2&continue=t", 403,
       status_body(403, "Forbidden", "services is forbidden")}},
     ListOutcome::End::Failed,
     {"a", "b"},
     0,
     "HTTP 403: Forbidden: services is forbidden"},
    {"a 410 on the first page is a failure, not a restart",
     "",
     {{"/api/v1/services?limit=2", 410, status_body(410, "Gone", "gone")}},
     ListOutcome::End::Failed,
     {},
     0,
     "HTTP 410: Gone: gone"},
    {"a body that is not JSON",
     "",
     {{"/api/v1/services?limit=2", 200, "<html>proxy</html>"}},
     ListOutcome::End::NotJson,
     {},
     0,
     "the response is not a JSON object"},
    {"a body that is not a Status: its first bytes",
     "",
     {{"/api/v1/services?limit=2", 502, "bad gateway"}},
     ListOutcome::End::Failed,
     {},
     0,
     "HTTP 502: bad gateway"},
};

class CollectionListTest : public testing::TestWithParam<ListCase> {};

TEST_P(CollectionListTest, FollowsContinueTokens) {
  const ListCase& c = GetParam();
  size_t next = 0;
  std::vector<std::string> asked;
  PageFetch fetch = [&](const std::string& path) {
    asked.push_back(path);
    HttpResult result;
    if (next < c.script.size()) {
      EXPECT_EQ(path, c.script[next].path) << c.rule << ": request " << next;
      result.status = c.script[next].status;
      result.body = c.script[next].body;
      ++next;
    } else {
      ADD_FAILURE() << c.rule << ": an unscripted request " << path;
      result.error = "unscripted";
    }
    return result;
  };
  std::vector<std::string> names;
  int restarts = 0;
  std::vector<size_t> pages;
  ListCallbacks callbacks;
  callbacks.on_object = [&](sources::Object object) {
    names.push_back(std::get<cluster::Service>(object).meta.name);
    EXPECT_EQ(std::get<cluster::Service>(object).meta.origin.file,
              "https://10.0.0.1:6443/api/v1/services");
  };
  callbacks.on_restart = [&] { ++restarts; };
  callbacks.on_page = [&](size_t objects) { pages.push_back(objects); };
  CollectionRequest request{&api_kind(Kind::Service), kPath, c.selectors, 2,
                            "https://10.0.0.1:6443/api/v1/services"};
  ListOutcome out = list_collection(request, fetch, callbacks);
  EXPECT_EQ(out.end, c.end) << c.rule;
  EXPECT_EQ(next, c.script.size()) << c.rule << ": every scripted page is asked for";
  EXPECT_EQ(names, c.names) << c.rule;
  EXPECT_EQ(restarts, c.restarts) << c.rule;
  EXPECT_EQ(out.why, c.why) << c.rule;
  if (out.complete()) {
    EXPECT_EQ(out.resource_version, c.script.back().body.find("\"9\"") != std::string::npos
                                        ? "9"
                                        : "7")
        << c.rule;
    EXPECT_EQ(out.objects, c.names.size() - (c.restarts > 0 ? 2 : 0)) << c.rule;
  } else if (out.end == ListOutcome::End::Failed) {
    EXPECT_EQ(out.failed_path, c.script.back().path) << c.rule;
    EXPECT_EQ(out.failure.status, c.script.back().status) << c.rule;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CollectionListTest, testing::ValuesIn(kCases));

TEST(CollectionListTest, StopEndsTheListBetweenPages) {
  int fetched = 0;
  PageFetch fetch = [&](const std::string&) {
    ++fetched;
    return HttpResult{200, service_list({"a"}, "more"), "", false, {}};
  };
  ListCallbacks callbacks;
  callbacks.on_object = [](sources::Object) {};
  callbacks.stopped = [&] { return fetched >= 2; };
  CollectionRequest request{&api_kind(Kind::Service), kPath, "", 1, kPath};
  ListOutcome out = list_collection(request, fetch, callbacks);
  EXPECT_EQ(out.end, ListOutcome::End::Stopped);
  EXPECT_EQ(fetched, 2);
}

TEST(CollectionListTest, InvalidItemsAreSkippedWithADiagnostic) {
  PageFetch fetch = [](const std::string&) {
    return HttpResult{
        200,
        R"({"metadata":{"resourceVersion":"3"},"items":[)"
        R"({"metadata":{"name":"Bad_Name","namespace":"prod"},"spec":{"clusterIP":"None"}},)"
        R"({"metadata":{"name":"good","namespace":"prod"},"spec":{"clusterIP":"None"}}]})",
        "", false, {}};
  };
  std::vector<std::string> names;
  ListCallbacks callbacks;
  callbacks.on_object = [&](sources::Object o) {
    names.push_back(std::get<cluster::Service>(o).meta.name);
  };
  CollectionRequest request{&api_kind(Kind::Service), kPath, "", 500, kPath};
  ListOutcome out = list_collection(request, fetch, callbacks);
  EXPECT_TRUE(out.complete());
  EXPECT_EQ(names, std::vector<std::string>{"good"});
  ASSERT_FALSE(out.diagnostics.empty());
  EXPECT_EQ(out.diagnostics.front().object, "Service prod/Bad_Name");
}

}  // namespace
}  // namespace vmdns::kube
