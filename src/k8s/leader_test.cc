#include "k8s/leader.h"

#include <gtest/gtest.h>

namespace hami::k8s {
namespace {

Json Lease(const std::string& holder, const std::string& renew, int64_t duration = 15) {
  return {{"spec",
           {{"holderIdentity", holder}, {"renewTime", renew}, {"leaseDurationSeconds", duration}}}};
}

class LeaseObserverTest : public ::testing::Test {
 protected:
  FakeClock clock;
  std::vector<bool> changes;
  LeaseObserver MakeObserver(std::string identity) {
    LeaseObserverOptions o;
    o.identity = std::move(identity);
    return LeaseObserver(nullptr, &clock, o, [this](bool l) { changes.push_back(l); });
  }
};

TEST_F(LeaseObserverTest, LeadsWhileHolderHasOurPrefixAndRenews) {
  LeaseObserver obs = MakeObserver("sched-a");
  EXPECT_TRUE(obs.Observe(Lease("sched-a_5f1c", "t1")));
  clock.Advance(std::chrono::seconds(10));
  EXPECT_TRUE(obs.Observe(Lease("sched-a_5f1c", "t2")));  // renewed
  clock.Advance(std::chrono::seconds(10));
  EXPECT_TRUE(obs.Observe(Lease("sched-a_5f1c", "t2")));  // 10 s since renewal seen
  clock.Advance(std::chrono::seconds(6));
  EXPECT_FALSE(obs.Observe(Lease("sched-a_5f1c", "t2")));  // 16 s > 15 s: expired
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));
}

TEST_F(LeaseObserverTest, OtherHolderOrMissingLeaseIsNotUs) {
  LeaseObserver obs = MakeObserver("sched-a");
  EXPECT_FALSE(obs.Observe(Lease("sched-b_77", "t1")));
  EXPECT_FALSE(obs.Observe(Lease("", "t1")));
  EXPECT_FALSE(obs.Observe(StatusOr<Json>(NotFoundError("leases \"hami-scheduler\" not found"))));
  EXPECT_TRUE(obs.Observe(Lease("sched-a", "t9")));
  EXPECT_FALSE(obs.Observe(StatusOr<Json>(NotFoundError("gone"))));
  EXPECT_FALSE(MakeObserver("").Observe(Lease("sched-a", "t1")));  // empty identity never leads
}

TEST_F(LeaseObserverTest, ReadErrorsKeepLeadershipOnlyUntilTheLeaseWouldExpire) {
  LeaseObserver obs = MakeObserver("sched-a");
  EXPECT_TRUE(obs.Observe(Lease("sched-a_1", "t1", 5)));
  clock.Advance(std::chrono::seconds(3));
  EXPECT_TRUE(obs.Observe(StatusOr<Json>(UnavailableError("connection refused"))));
  clock.Advance(std::chrono::seconds(3));
  EXPECT_FALSE(obs.Observe(StatusOr<Json>(UnavailableError("connection refused"))));
}

TEST_F(LeaseObserverTest, MalformedLeaseIsNotLeadership) {
  LeaseObserver obs = MakeObserver("sched-a");
  EXPECT_FALSE(obs.Observe(Json{{"spec", "garbage"}}));
  EXPECT_FALSE(obs.Observe(Json{{"spec", {{"holderIdentity", 42}}}}));
  EXPECT_FALSE(obs.Observe(Json::array()));
}

}  // namespace
}  // namespace hami::k8s
