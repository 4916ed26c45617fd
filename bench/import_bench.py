"""How long a city's move takes: `carebook import` of 5,000 people and 50,000 history posts,
then the city's own copy out and back (`carebook export` → `carebook import` into an empty
installation). Run by hand; the figures go in docs/benchmarks.md.

    .venv/bin/python bench/import_bench.py                       # SQLite in a temp dir
    .venv/bin/python bench/import_bench.py --database-url postgresql+asyncpg://…/empty_db

The files are generated (invented people), as UTF-8 CSV: 100 offices, 5,000 people
(doctors, visiting nurses, care managers, pharmacists, helpers), 500 patients each with a
room of 5 members, and 100 posts a room (50,000).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

CAREBOOK = str(Path(sys.executable).parent / "carebook")
KINDS = ["在宅療養支援診療所", "訪問看護ステーション", "居宅介護支援事業所", "薬局", "訪問介護事業所"]
JOBS = ["医師", "看護師", "介護支援専門員", "薬剤師", "訪問介護員"]
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def kana(n: int) -> str:
    return KANA[n % len(KANA)] + KANA[(n // len(KANA)) % len(KANA)] + KANA[(n // 7) % len(KANA)]


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def make_files(target: Path, people: int = 5000, rooms: int = 500, posts: int = 100) -> None:
    offices = [[f"B{i:05d}", f"ベンチ{KINDS[i % 5]}{i}", "", KINDS[i % 5], "", "", "", ""]
               for i in range(100)]
    write(target / "事業所.csv", ["事業所番号", "事業所名", "事業所名カナ", "種別", "郵便番号", "住所",
                                "電話番号", "FAX番号"], offices)
    users = []
    for i in range(people):
        office = i % 100
        users.append([f"bench-{i:05d}", f"利用者 {i}", f"リヨウシャ {kana(i)}", JOBS[office % 5],
                      f"B{office:05d}", "", f"bench-{i:05d}@example.jp", "", "○"])
    write(target / "利用者.csv", ["ログインID", "氏名", "フリガナ", "職種", "事業所番号", "権限",
                                "メールアドレス", "電話番号", "訪問診療・訪問看護"], users)
    patients, room_rows, members, history = [], [], [], []
    start = datetime(2026, 1, 5, 9, 0)
    for r in range(rooms):
        number = f"{9000000000 + r:010d}"
        patients.append([number, f"患者 {kana(r)}", f"カンジャ {kana(r)}", "昭和10年1月1日", "女", "要介護2",
                         "", "みどり市本町1-1", ""])
        room_rows.append([number, "", "", f"B-{r}", "2025/12/1", "本人", "", "", "説明 担当", ""])
        # One of each job: person i works at office i % 100, of kind and job i % 5.
        base = (r % 10) * 500
        team = [f"bench-{base + k:05d}" for k in range(5)]
        for login in team:
            members.append([number, login, "書込"])
        for p in range(posts):
            at = start + timedelta(hours=p * 7 + r % 5)
            history.append([number, f"R{r}-{p}", "", at.strftime("%Y/%m/%d %H:%M"),
                            team[p % 5], "連絡事項", f"{p}回目の訪問記録。", "", "", "", "", ""])
    write(target / "患者.csv", ["被保険者番号", "氏名", "フリガナ", "生年月日", "性別", "要介護度",
                              "郵便番号", "住所", "電話番号"], patients)
    write(target / "部屋.csv", ["被保険者番号", "患者氏名", "患者生年月日", "通知用の表示名", "同意日",
                              "同意者", "代理人氏名", "代理人続柄", "説明者", "ケアレポート標題"],
          room_rows)
    write(target / "部屋参加者.csv", ["被保険者番号", "ログインID", "閲覧権限"], members)
    write(target / "連絡帳.csv", ["被保険者番号", "記録ID", "返信先記録ID", "日時", "投稿者ログインID",
                                "ケアレポート標題", "本文", "血圧（上）", "血圧（下）", "脈拍", "体温",
                                "SpO2"], history)


def timed(label: str, args: list[str], env: dict[str, str]) -> float:
    began = time.monotonic()
    done = subprocess.run([CAREBOOK, *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - began
    status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
    print(f"{label:<42} {seconds:8.1f} s  ({status})", flush=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(1)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--second-database-url", help="another empty one, for the copy's load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        files = root / "files"
        files.mkdir()
        make_files(files)
        env = dict(os.environ, CAREBOOK_DATA_DIR=str(root / "data"),
                   CAREBOOK_SECRET_KEY="bench-secret-key-" + "x" * 32, CAREBOOK_ARGON2_FAST="1")
        if args.database_url:
            env["CAREBOOK_DATABASE_URL"] = args.database_url
        timed("db upgrade", ["db", "upgrade"], env)
        timed("import --dry-run (5,000 people, 50,000 posts)", ["import", "--dry-run",
                                                                 str(files)], env)
        timed("import (5,000 people, 50,000 posts)", ["import", str(files)], env)
        timed("import again (nothing changes)", ["import", str(files)], env)
        timed("export --to DIR", ["export", "--to", str(root / "copy")], env)
        target = dict(env, CAREBOOK_DATA_DIR=str(root / "data2"))
        if args.second_database_url:
            target["CAREBOOK_DATABASE_URL"] = args.second_database_url
        elif args.database_url:
            raise SystemExit("give --second-database-url with --database-url")
        timed("import DIR (the copy, into an empty one)", ["import", str(root / "copy")], target)


if __name__ == "__main__":
    main()
