import {
  type PeerConfig,
  type RTCCertificate,
  RTCDtlsTransport,
  RTCRtpHeaderExtensionParameters,
  useAbsSendTime,
  useH264,
  useOPUS,
  useSdesMid,
  useVP8,
} from 'werift';
import type { JitConfig } from '../../../../libs/config/src';

/**
 * Chromium's playout-delay extension: with a zero delay it renders each frame as soon as it
 * is decoded instead of holding it in a jitter buffer, which is what makes a seek show at once.
 */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** H.264 constrained baseline first (cheapest to encode, decoded everywhere), VP8 where it is not offered. */
export function peerConfig(config: Pick<JitConfig, 'publicIp' | 'portMin' | 'portMax'>, certificate: RTCCertificate): Partial<PeerConfig> {
  return {
    certificates: [certificate],
    codecs: { video: [useH264(), useVP8()], audio: [useOPUS()] },
    headerExtensions: {
      video: [useSdesMid(), useAbsSendTime(), new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_URI })],
      audio: [useSdesMid(), useAbsSendTime()],
    },
    icePortRange: [config.portMin, config.portMax],
    iceUseIpv6: false,
    // The public address is announced as a host candidate on the same sockets (1:1 NAT).
    iceAdditionalHostAddresses: config.publicIp ? [config.publicIp] : undefined,
  };
}

/** One DTLS certificate for every viewer of this process: making one costs tens of ms per connection otherwise. */
export function createCertificate(): Promise<RTCCertificate> {
  return RTCDtlsTransport.SetupCertificate();
}
