#!/usr/bin/env bash
# Synthesises a validation set of voices that tts-speakers does not have, to test whether
# speaker codes generalise past the training voices' synthesisers (issue 17):
#   bench/audio/make-voices.sh <out-dir>
# Writes <out-dir>/<voice>_<item>.wav (tts-speakers' naming, so `latentkit train/encode audio`
# reads the voice from the file name) and <out-dir>/voices.csv. Never write into the repo.
#
# tts-speakers' espeak-ng voices use the variants m1 m3 m5 m7 f1 f3 f5 klatt klatt3 Andy linda
# david, the accents en, en-us, en-gb-scotland, en-029, en-gb-x-rp, pitches 40-70 and speeds
# 140-170 words/min. The voices here take other variants (m2 m4 m6 f2 f4 klatt2 steph iven2),
# mostly other accents (Lancaster, West Midlands, New York City), and pitches and speeds
# outside those ranges; each says the ten digits and eight sentences written for this script.
# Output goes through the same sox chain as tts-speakers (16 kHz mono 16-bit, peak-normalised
# to -1 dBFS). Some variants do nothing at some settings (en-gb+croak at -s 200 -p 25 gave
# the same bytes as en-gb), so each voice here was checked to differ from its plain accent.
set -euo pipefail
out=${1:?usage: make-voices.sh <out-dir>}
case "$(cd "$(dirname "$0")/../.." && pwd)" in
  "$(mkdir -p "$out" && cd "$out" && pwd)"*) echo "make-voices.sh: $out is inside the repository; give a temp folder" >&2; exit 2 ;;
esac
command -v espeak-ng >/dev/null || { echo "make-voices.sh: espeak-ng is not installed (apt-get install espeak-ng)" >&2; exit 3; }
command -v sox >/dev/null || { echo "make-voices.sh: sox is not installed (apt-get install sox)" >&2; exit 3; }

# id | espeak voice | words per minute | pitch (0-99)
VOICES=(
  "val-m2|en-gb-x-gbclan+m2|125|35"
  "val-m4|en-us-nyc+m4|185|62"
  "val-m6|en-gb-x-gbcwmd+m6|135|30"
  "val-f2|en-us-nyc+f2|180|78"
  "val-f4|en-gb-x-gbclan+f4|130|85"
  "val-klatt2|en-gb-x-gbcwmd+klatt2|190|38"
  "val-steph|en-us+steph|120|75"
  "val-iven2|en-gb-x-rp+iven2|200|25"
)
WORDS=(zero one two three four five six seven eight nine)
SENTENCES=(
  "The kettle is on, so sit down for a minute."
  "We walked along the river until the rain stopped."
  "Please leave the parcel by the green door."
  "My brother fixes old bicycles in his garage."
  "The library closes early on a Saturday."
  "Turn left at the bakery and keep going."
  "She painted the fence a pale shade of blue."
  "Nobody remembered to feed the cat this morning."
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "voice,espeak_voice,speed_wpm,pitch" > "$out/voices.csv"
for spec in "${VOICES[@]}"; do
  IFS='|' read -r id voice speed pitch <<< "$spec"
  echo "$id,$voice,$speed,$pitch" >> "$out/voices.csv"
  items=()
  for d in "${!WORDS[@]}"; do items+=("digit$d|${WORDS[$d]}"); done
  for s in "${!SENTENCES[@]}"; do items+=("$(printf 'sent%02d' $((s + 1)))|${SENTENCES[$s]}"); done
  for it in "${items[@]}"; do
    IFS='|' read -r item text <<< "$it"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/raw.wav" "$text"
    sox -V1 -D "$tmp/raw.wav" -c 1 -b 16 -e signed-integer "$out/${id}_${item}.wav" rate -v 16000 gain -n -1
  done
done
echo "make-voices.sh: wrote $(ls "$out"/*.wav | wc -l) clips of ${#VOICES[@]} voices to $out"
