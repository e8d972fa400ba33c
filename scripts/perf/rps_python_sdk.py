"""Requests per second through the official Python SDK (`pip install justoneapi`, httpx) on one connection.

Usage: python rps_python_sdk.py BASE_URL [--requests N] [--secs S]

Calls client.xiaohongshu_pgy.get_kol_fans_portrait_v1 one after another (httpx.Client keeps one keep-alive
connection); stops after N requests or S seconds, whichever comes first, and prints requests/s.
"""

import argparse
import time

from justoneapi import JustOneAPIClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--secs", type=float, default=5.0)
    args = parser.parse_args()
    with JustOneAPIClient(token="TOKEN", base_url=args.base_url) as client:
        client.xiaohongshu_pgy.get_kol_fans_portrait_v1(kol_id="kol-1")  # warm-up: connect once
        n = 0
        start = time.perf_counter()
        while n < args.requests and time.perf_counter() - start < args.secs:
            r = client.xiaohongshu_pgy.get_kol_fans_portrait_v1(kol_id="kol-1")
            assert r.success and r.data["ages"], r
            n += 1
        secs = time.perf_counter() - start
    print(f"python sdk: {n} requests in {secs:.2f} s = {n / secs:.0f} requests/s")


if __name__ == "__main__":
    main()
