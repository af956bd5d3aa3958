/**
 * @confab/media: what plugins and confabd import — the client of confab-media (im.confab.Media1),
 * the session types, the codec table and the SDP helper. Nothing exported here loads GStreamer: the
 * media runs in the confab-media process.
 * @since 0.1.0
 */
export * from './session/types';
export { DEFAULT_CODECS, DEFAULT_VIDEO_CODECS, VIDEO_CODECS, H264_CODEC, matchVideoFormat, codecByEncodingName, videoCodecByEncodingName, telephoneEvent, type Codec, type CodecName, type AudioCodecName, type VideoCodecName } from './codecs/codecs';
export { MediaClient, MediaSessionClient, MEDIA_BUS_NAME, MEDIA_ROOT_PATH, type StatsRecord } from './client/media-client';
export { MediaAccess } from './client/media-access';
export { callStatsOf } from './client/call-stats';
export * from './sdp';
