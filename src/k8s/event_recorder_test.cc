#include "k8s/event_recorder.h"

#include <atomic>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace hami::k8s {
namespace {

struct RecordingSink {
  std::mutex mu;
  std::vector<EventToPost> events;
  std::atomic<bool> fail{false};
  EventSink Sink() {
    return [this](const EventToPost& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
      return fail ? UnavailableError("api server down") : OkStatus();
    };
  }
};

TEST(EventRecorderTest, PostsInOrderAndDedupesInsideTheWindow) {
  RecordingSink sink;
  FakeClock clock;
  EventRecorder rec(sink.Sink(), &clock);
  rec.Start();
  Json pod = PodRef("ns", "p", "uid-1");
  rec.Warning(pod, "FilteringFailed", "no available node");
  rec.Warning(pod, "FilteringFailed", "no available node");  // duplicate
  rec.Normal(pod, "BindingSucceed", "bound");
  ASSERT_TRUE(rec.Flush(std::chrono::seconds(5)));
  clock.Advance(std::chrono::minutes(11));
  rec.Warning(pod, "FilteringFailed", "no available node");  // window passed
  ASSERT_TRUE(rec.Flush(std::chrono::seconds(5)));
  std::lock_guard lock(sink.mu);
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[0].reason, "FilteringFailed");
  EXPECT_EQ(sink.events[0].type, "Warning");
  EXPECT_EQ(sink.events[0].involved["metadata"]["uid"], "uid-1");
  EXPECT_EQ(sink.events[1].reason, "BindingSucceed");
  EXPECT_EQ(rec.deduplicated(), 1u);
  EXPECT_EQ(rec.posted(), 3u);
}

TEST(EventRecorderTest, DifferentObjectsOrMessagesAreNotDuplicates) {
  RecordingSink sink;
  FakeClock clock;
  EventRecorder rec(sink.Sink(), &clock);
  rec.Start();
  rec.Warning(PodRef("ns", "a", ""), "R", "m");
  rec.Warning(PodRef("ns", "b", ""), "R", "m");
  rec.Warning(PodRef("ns", "a", ""), "R", "m2");
  rec.Warning(NodeRef("a", ""), "R", "m");
  ASSERT_TRUE(rec.Flush(std::chrono::seconds(5)));
  EXPECT_EQ(rec.posted(), 4u);
}

TEST(EventRecorderTest, FullQueueDropsInsteadOfBlocking) {
  RecordingSink sink;
  FakeClock clock;
  EventRecorderOptions o;
  o.queue_limit = 3;
  EventRecorder rec(sink.Sink(), &clock, o);  // not started: nothing drains
  for (int i = 0; i < 10; ++i) rec.Warning(PodRef("ns", "p" + std::to_string(i), ""), "R", "m");
  EXPECT_EQ(rec.dropped(), 7u);
  rec.Start();
  ASSERT_TRUE(rec.Flush(std::chrono::seconds(5)));
  EXPECT_EQ(rec.posted(), 3u);
}

TEST(EventRecorderTest, ManyDistinctEventsKeepDeduplicating) {
  RecordingSink sink;
  FakeClock clock;
  EventRecorderOptions o;
  o.queue_limit = 300000;
  EventRecorder rec(sink.Sink(), &clock, o);
  for (int i = 0; i < 60000; ++i) rec.Normal(PodRef("ns", "p" + std::to_string(i), ""), "R", "m");
  EXPECT_EQ(rec.dropped(), 0u);
  rec.Normal(PodRef("ns", "p59999", ""), "R", "m");  // still a duplicate
  EXPECT_EQ(rec.deduplicated(), 1u);
  clock.Advance(std::chrono::minutes(11));
  rec.Normal(PodRef("ns", "p0", ""), "R", "m");  // window over: posted again
  EXPECT_EQ(rec.deduplicated(), 1u);
}

TEST(EventRecorderTest, SinkFailuresAreCountedNotFatal) {
  RecordingSink sink;
  sink.fail = true;
  FakeClock clock;
  EventRecorder rec(sink.Sink(), &clock);
  rec.Start();
  rec.Warning(PodRef("ns", "p", ""), "R", "m");
  ASSERT_TRUE(rec.Flush(std::chrono::seconds(5)));
  EXPECT_EQ(rec.failed(), 1u);
  rec.Stop();
  rec.Warning(PodRef("ns", "q", ""), "R", "m");  // after Stop: queued, never posted
  EXPECT_EQ(rec.posted(), 0u);
}

}  // namespace
}  // namespace hami::k8s
