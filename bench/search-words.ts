/**
 * The words of the benchmark's messages, most frequent first: everyday English, then the words of a
 * software team's chat, then made-up words (three syllables) up to `size`, a vocabulary the size of
 * a real team's. Messages draw word ranks by Zipf's law (frequency 1/rank), as natural text does.
 */
export function vocabulary(size: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'zu', 'be', 'da', 'fo', 'gi', 'ha',
    'je', 'ko', 'lu', 'ma', 'no', 'pe', 'ri', 'se', 'ta', 'un', 've', 'wo', 'xa', 'yo'];
  const made: string[] = [];
  for (let i = 0; made.length < size - WORDS.length; i++) {
    const n = i + syllables.length ** 2;
    made.push([Math.floor(n / syllables.length ** 2) % syllables.length, Math.floor(n / syllables.length) % syllables.length, n % syllables.length]
      .map((d) => syllables[d]).join(''));
  }
  return [...WORDS, ...made].slice(0, size);
}

export const WORDS = `
the to and a of i it is you that in for on we this with be have not but are so can was just
do if at my what about all me they there as up out get like now will one or yes no ok thanks
think know good see time need new make go here should then how when would which some more also
today could work from let any maybe sure still did our your them been going take look right back
tomorrow week day morning afternoon lunch meeting call later soon done fine great nice cool sorry
please again first last next other same few many much very really well only even because after
before into over than too where why who way thing things people team everyone someone anyone
deploy release build test tests branch merge commit review pull request issue bug fix fixed patch
server client database query index table schema migration backup restore replica cluster node
error errors warning log logs trace stack crash timeout latency memory cpu disk network proxy
cache cookie session token password login signin account user users admin role permission access
api endpoint route handler request response status header body json html css script browser page
room rooms message messages thread channel stream event events poll notify listen cursor batch
docker swarm image container service stack volume secret config setting settings env variable
traefik certificate https domain dns port host health ready metrics alert dashboard grafana
postgres sql function trigger lock vacuum analyze explain plan join select insert update delete
typescript javascript node npm package dependency version upgrade lint format compile type
staging production rollback hotfix incident outage pager oncall postmortem runbook ticket sprint
design spec draft doc docs readme changelog roadmap plan estimate deadline priority scope
customer feedback feature request demo launch beta users signup onboarding pricing invoice
coffee pizza weekend holiday vacation birthday cake music movie game football weather rain snow
kubernetes helm terraform ansible nginx redis kafka rabbitmq elastic s3 bucket upload download
thumbnail avatar emoji reaction mention search filter sort page pagination scroll mobile desktop
laptop monitor keyboard headphones wifi vpn ssh git github gitlab ci pipeline runner artifact
flaky green red passing failing broken works working slow fast faster slower bigger smaller
yesterday monday tuesday wednesday thursday friday saturday sunday january february march april
alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil
trent victor walter
quokka zeppelin xylophone kumquat marzipan gazpacho flamingo origami saxophone trampoline
`.trim().split(/\s+/);
