package dev.qwen4j.model.qwen3vl;

import java.util.List;

/**
 * Qwen3-VL's 3-axis (T, H, W) M-RoPE positions of a prompt (`get_rope_index`, spec §4.3):
 * <ul>
 *   <li>a text token gets (p, p, p), p = previous maximum + 1;</li>
 *   <li>a block of visual tokens with merged grid (gt, gh, gw) starting at s gets (s + t, s + r, s + c)
 *       over the block in (t, r, c) order, and the next token continues at s + max(gt, gh, gw);</li>
 *   <li>a video (t, h, w) is t blocks of (1, h, w), one per temporal group — each group has its own
 *       vision_start/end and timestamp text in the prompt.</li>
 * </ul>
 * ropeDelta = max + 1 − L; a decoded token at cache index p gets position p + ropeDelta on all axes.
 *
 * @param positions [3][L]: T, H and W rows
 */
public record RopeIndex(int[][] positions, int ropeDelta) {

    /** Image and video grids are (t, h, w) in patches, in the order their pad runs appear in ids. */
    public static RopeIndex compute(int[] ids, List<int[]> imageGrids, List<int[]> videoGrids, int merge,
                                    int imageTokenId, int videoTokenId) {
        int n = ids.length;
        int[][] pos = new int[3][n];
        int next = 0; // max position so far + 1
        int image = 0, video = 0, videoGroup = 0;
        int i = 0;
        while (i < n) {
            int tok = ids[i];
            if (tok != imageTokenId && tok != videoTokenId) {
                pos[0][i] = pos[1][i] = pos[2][i] = next++;
                i++;
                continue;
            }
            int gt, gh, gw;
            String what;
            if (tok == imageTokenId) {
                if (image >= imageGrids.size()) throw new IllegalArgumentException("the prompt has more image pad runs than the " + imageGrids.size() + " images given (at token " + i + ")");
                int[] g = imageGrids.get(image);
                what = "image " + image;
                gt = g[0];
                gh = g[1] / merge;
                gw = g[2] / merge;
                image++;
            } else {
                if (video >= videoGrids.size()) throw new IllegalArgumentException("the prompt has more video pad runs than the " + videoGrids.size() + " videos given (at token " + i + ")");
                int[] g = videoGrids.get(video);
                what = "video " + video + " temporal group " + videoGroup;
                gt = 1;
                gh = g[1] / merge;
                gw = g[2] / merge;
                if (++videoGroup == g[0]) {
                    video++;
                    videoGroup = 0;
                }
            }
            int count = gt * gh * gw;
            int run = 0;
            while (i + run < n && ids[i + run] == tok) run++;
            if (run != count) {
                throw new IllegalArgumentException(what + " needs " + count + " consecutive pad tokens (id " + tok
                        + ") but the prompt has " + run + " at token " + i);
            }
            int s = next;
            int k = i;
            for (int t = 0; t < gt; t++) {
                for (int r = 0; r < gh; r++) {
                    for (int c = 0; c < gw; c++, k++) {
                        pos[0][k] = s + t;
                        pos[1][k] = s + r;
                        pos[2][k] = s + c;
                    }
                }
            }
            next = s + Math.max(gt, Math.max(gh, gw));
            i += count;
        }
        if (image != imageGrids.size() || video != videoGrids.size() || videoGroup != 0) {
            throw new IllegalArgumentException("the prompt has pad runs for " + image + " images and " + video
                    + " videos, but " + imageGrids.size() + " images and " + videoGrids.size() + " videos were given");
        }
        return new RopeIndex(pos, next - n);
    }
}
