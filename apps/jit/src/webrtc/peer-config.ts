import { type PeerConfig, useH264, useOPUS, useVP8 } from 'werift';
import type { JitConfig } from '../../../../libs/config/src';

/** H.264 constrained baseline first (cheapest to encode, decoded everywhere), VP8 where it is not offered. */
export function peerConfig(config: Pick<JitConfig, 'publicIp' | 'portMin' | 'portMax'>): Partial<PeerConfig> {
  return {
    codecs: { video: [useH264(), useVP8()], audio: [useOPUS()] },
    icePortRange: [config.portMin, config.portMax],
    iceUseIpv6: false,
    // The public address is announced as a host candidate on the same sockets (1:1 NAT).
    iceAdditionalHostAddresses: config.publicIp ? [config.publicIp] : undefined,
  };
}
