// Enflame DRS wire values: the capacity annotation as Go decodes it, and the
// assigned-containers map byte for byte (sorted keys, omitempty, Go escaping).
#include "api/enflame_drs.h"

#include <gtest/gtest.h>

namespace hami::api {
namespace {

TEST(EnflameDrsCapacity, DecodesLikeGo) {
  auto c = DecodeEnflameDrsCapacity(
      R"({"devices":[{"index":"0","minor":"0","capacity":6},{"INDEX":"1","capacity":" 4 ","extra":1},null],)"
      R"("profiles":{"1g.6gb":"0","6g.40gb":"2"}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->devices, (std::vector<EnflameDrsDevice>{{"0", "0", 6}, {"1", "", 4}, {"", "", std::nullopt}}));
  EXPECT_EQ(c->profiles, (std::map<std::string, std::string>{{"1g.6gb", "0"}, {"6g.40gb", "2"}}));
  EXPECT_EQ(EncodeEnflameDrsCapacity(*c),
            R"({"devices":[{"index":"0","minor":"0","capacity":6},{"index":"1","minor":"","capacity":4},)"
            R"({"index":"","minor":"","capacity":null}],"profiles":{"1g.6gb":"0","6g.40gb":"2"}})");
  EXPECT_TRUE(DecodeEnflameDrsCapacity("null")->devices.empty());
  for (const char* bad : {"", "{", "[]", R"({"devices":{}})", R"({"devices":[1]})", R"({"devices":[{"capacity":true}]})",
                          R"({"devices":[{"capacity":1e12}]})", R"({"profiles":[]})", R"({"devices":[{"minor":3}]})"}) {
    EXPECT_FALSE(DecodeEnflameDrsCapacity(bad).ok()) << bad;
  }
}

TEST(EnflameDrsAssignments, RoundTripsHamisBytes) {
  const EnflameDrsAssignments a = {{"main", {false, 3, "1", "3g.20gb"}}, {"a<b", {true, 1, "", ""}}};
  const std::string text = R"({"a\u003cb":{"allocated":true,"request":1},)"
                           R"("main":{"allocated":false,"request":3,"profileID":"1","profileName":"3g.20gb"}})";
  EXPECT_EQ(EncodeEnflameDrsAssignments(a), text);
  EXPECT_EQ(DecodeEnflameDrsAssignments(text).value(), a);
  EXPECT_FALSE(DecodeEnflameDrsAssignments(R"({"c":{"request":"3"}})").ok());
  EXPECT_FALSE(DecodeEnflameDrsAssignments("[]").ok());
}

}  // namespace
}  // namespace hami::api
