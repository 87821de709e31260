"""get_rope_index (Qwen2VLModel / Qwen2_5_VLModel / Qwen3VLModel) for one unpadded prompt with images.

Text gets the same position on all three rows; an image's merged tokens get (t, h, w) grid
positions offset by the position the image starts at; text after an image resumes at the largest
position used so far + 1. rope_delta = max position + 1 - len(input_ids): a generated token at
sequence index p has position p + rope_delta on all three rows.
"""

from __future__ import annotations

import torch

from config import ModelConfig
from errors import OracleError

Grid = tuple[int, int, int]


def get_rope_index(input_ids: list[int], grids: list[Grid] | None, config: ModelConfig) -> tuple[torch.Tensor, int]:
    """Position ids [3, S] (int64) and rope_delta."""
    n = len(input_ids)
    if grids is None:  # no image_grid_thw: plain 1-D positions, delta 0
        return torch.arange(n).view(1, -1).expand(3, -1).clone(), 0
    merge = config.vision.spatial_merge_size
    image_id, video_id = config.image_token_id, config.video_token_id
    starts = [i for i, tok in enumerate(input_ids) if tok == config.vision_start_token_id]
    if starts and starts[-1] + 1 >= n:
        raise OracleError("input_ids: ends with vision_start_token_id (nothing follows it)")
    following = [input_ids[i + 1] for i in starts]
    image_count = following.count(image_id)
    if following.count(video_id):
        raise OracleError(
            "input_ids: holds a video (vision_start followed by video_token_id); the oracle ports images only"
        )
    if image_count > len(grids):
        raise OracleError(
            f"input_ids: {image_count} images follow vision_start tokens, image_grid_thw has {len(grids)} rows"
        )

    blocks: list[torch.Tensor] = []
    st = 0
    for image in range(image_count):
        try:
            ed = input_ids.index(image_id, st)
        except ValueError:
            raise OracleError(f"input_ids: no image_token_id left for image {image}") from None
        t, h, w = grids[image]
        gt, gh, gw = t, h // merge, w // merge
        tokens = gt * gh * gw
        if input_ids[ed : ed + tokens] != [image_id] * tokens:
            raise OracleError(f"input_ids: image {image} at index {ed} needs {tokens} consecutive image_token_id")
        text_len = ed - st
        st_idx = int(blocks[-1].max()) + 1 if blocks else 0
        blocks.append(torch.arange(text_len).view(1, -1).expand(3, -1) + st_idx)
        if config.family == "qwen2_5_vl":
            # Images have second_per_grid_t = 0, so every frame gets temporal position 0.
            t_index = (torch.arange(gt).view(-1, 1).expand(-1, gh * gw) * 0 * config.vision.tokens_per_second).long()
        else:  # qwen2_vl and qwen3_vl (4.57): frames count 0, 1, ...
            t_index = torch.arange(gt).view(-1, 1).expand(-1, gh * gw)
        h_index = torch.arange(gh).view(1, -1, 1).expand(gt, -1, gw).flatten()
        w_index = torch.arange(gw).view(1, 1, -1).expand(gt, gh, -1).flatten()
        blocks.append(torch.stack([t_index.flatten(), h_index, w_index]) + text_len + st_idx)
        st = ed + tokens
    if st < n:
        st_idx = int(blocks[-1].max()) + 1 if blocks else 0
        blocks.append(torch.arange(n - st).view(1, -1).expand(3, -1) + st_idx)
    positions = torch.cat(blocks, dim=1)
    return positions, int(positions.max()) + 1 - n
