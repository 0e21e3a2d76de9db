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
import { lookup } from 'node:dns/promises';
import { ConfigError, type JitConfig } from '@jit/config';

/**
 * Chromium's playout-delay extension: with a zero delay it renders each frame as soon as it
 * is decoded instead of holding it in a jitter buffer, which is what makes a seek show at once.
 */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** What every viewer's peer connection is made with, fixed at start-up. */
export interface PeerSettings extends Pick<JitConfig, 'portMin' | 'portMax'> {
  certificate: RTCCertificate;
  /** PUBLIC_IP as an address (a host name resolved at start-up). */
  publicAddress?: string;
}

/**
 * PUBLIC_IP (--public-ip) as the address of the extra host candidate: an IP as it is, a host name
 * resolved once (IPv4 first: the candidates are IPv4 only). A name that does not resolve is a
 * ConfigError naming the setting.
 */
export async function resolvePublicAddress(publicIp: string, resolve = lookup): Promise<string> {
  try {
    const addresses = await resolve(publicIp, { all: true });
    const address = addresses.find((a) => a.family === 4) ?? addresses[0];
    if (address) return address.address;
  } catch (error) {
    throw new ConfigError(
      `--public-ip (PUBLIC_IP): "${publicIp}" does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  throw new ConfigError(`--public-ip (PUBLIC_IP): "${publicIp}" does not resolve (no address)`);
}

/** H.264 constrained baseline first (cheapest to encode, decoded everywhere), VP8 where it is not offered. */
export function peerConfig(settings: PeerSettings): Partial<PeerConfig> {
  return {
    certificates: [settings.certificate],
    codecs: { video: [useH264(), useVP8()], audio: [useOPUS()] },
    headerExtensions: {
      video: [useSdesMid(), useAbsSendTime(), new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_URI })],
      audio: [useSdesMid(), useAbsSendTime()],
    },
    icePortRange: [settings.portMin, settings.portMax],
    iceUseIpv6: false,
    // The public address is announced as a host candidate on the same sockets (1:1 NAT).
    iceAdditionalHostAddresses: settings.publicAddress ? [settings.publicAddress] : undefined,
  };
}

/** One DTLS certificate for every viewer of this process: making one costs tens of ms per connection otherwise. */
export function createCertificate(): Promise<RTCCertificate> {
  return RTCDtlsTransport.SetupCertificate();
}
