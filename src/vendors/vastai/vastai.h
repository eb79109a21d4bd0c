// Vastai (keyword "Vastai", reference 10): devices counted by
// `vastaitech.com/va`; inventory from the JSON in `hami.io/node-va-register`
// (devcore forced to 100), handshake `hami.io/node-handshake-va`; uuid
// selection `vastaitech.com/use-gpuuuid` / `nouse-gpuuuid`; the device list
// records no memory or cores; hami.io/mutex.lock. Config section `vastai`
// (resourceCountName).
//
// Card mode: devices taken from the end of the policy order. Die mode (the
// first device in the policy order registers `custominfo.DeviceStrategy=die`;
// a card, `custominfo.AIC`, holds several dies): every eligible die is
// collected; one die is the first collected, several come from the cards
// holding most of them; under mutex a card with any die in use is exclusive;
// too few dies is `AllocatedCardsInsufficientRequest`. The node score sums,
// per container, the share of its dies on its most used card (HAMi's
// ScoreNode). DeviceUsage::policy holds the strategy, DeviceUsage::group the
// card.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::vastai {

void AddVastai(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::vastai
