// Search queries over the 258-tool corpus, phrased as a user or a model asks for a tool (not
// copied from the descriptions), each with the tools that answer it: any of them in the top 3
// counts as found. Where servers overlap (github and github_archived, playwright and puppeteer),
// each server's tool is right.

export interface CatalogQuery {
  query: string;
  expected: string[];
}

const q = (query: string, ...expected: string[]): CatalogQuery => ({ query, expected });

export const CATALOG_QUERIES: CatalogQuery[] = [
  // GitHub
  q("open a PR from my feature branch into main", "github.create_pull_request", "github_archived.create_pull_request"),
  q("merge the pull request once checks pass", "github.merge_pull_request", "github_archived.merge_pull_request"),
  q("who am I logged in as on GitHub", "github.get_me"),
  q("show me the logs of the failing CI job", "github.get_job_logs"),
  q("re-run a workflow", "github.actions_run_trigger"),
  q("star this repo", "github.star_repository"),
  q("file a bug report in the repository", "github.create_issue", "github.issue_write", "github_archived.create_issue"),
  q("close an issue as completed", "github.update_issue_state", "github.issue_write", "github_archived.update_issue"),
  q("rename the issue", "github.update_issue_title", "github.issue_write", "github_archived.update_issue"),
  q("which dependabot alerts are open", "github.list_dependabot_alerts"),
  q(
    "find repositories about machine learning in rust",
    "github.search_repositories",
    "github_archived.search_repositories",
  ),
  q("read the README of a repo", "github.get_file_contents", "github_archived.get_file_contents"),
  q("who last changed each line of this file", "github.get_file_blame"),
  q("what is the newest release version of the project", "github.get_latest_release"),
  q("put the bug and ui labels on the issue", "github.update_issue_labels"),
  q("mark all my notifications as read", "github.mark_all_notifications_read"),
  q("ask a teammate to review my PR", "github.request_pull_request_reviewers"),
  q("turn the draft PR into ready for review", "github.update_pull_request_draft_state"),
  q("share a code snippet as a gist", "github.create_gist"),
  q("list the people in the platform team", "github.get_team_members"),
  q(
    "fork a project to my account",
    "github.fork_repository",
    "github_archived.fork_repository",
    "gitlab.fork_repository",
  ),
  q("find code that calls a function across all repos", "github.search_code", "github_archived.search_code"),
  q(
    "leak of an API key detected in the repository",
    "github.list_secret_scanning_alerts",
    "github.get_secret_scanning_alert",
  ),
  // GitLab
  q("open a merge request on GitLab", "gitlab.create_merge_request"),
  // Slack
  q("post an update in the #general channel", "slack.slack_post_message"),
  q("react with a thumbs up to that Slack message", "slack.slack_add_reaction"),
  q("read the latest messages of a channel", "slack.slack_get_channel_history"),
  q("look up a slack user's profile", "slack.slack_get_user_profile"),
  // Search and maps
  q("search the web for news about the election", "brave_search.brave_web_search"),
  q("find pizza restaurants near me", "brave_search.brave_local_search", "google_maps.maps_search_places"),
  q("latitude and longitude of an address", "google_maps.maps_geocode"),
  q("how long is the drive from Paris to Lyon", "google_maps.maps_directions", "google_maps.maps_distance_matrix"),
  q("what is the altitude of Mont Blanc", "google_maps.maps_elevation"),
  // Browsers
  q("go to a web page in the browser", "playwright.browser_navigate", "puppeteer.puppeteer_navigate"),
  q(
    "capture an image of what the page looks like",
    "playwright.browser_take_screenshot",
    "puppeteer.puppeteer_screenshot",
  ),
  q("click the submit button", "playwright.browser_click", "puppeteer.puppeteer_click"),
  q(
    "type my email into the login field",
    "playwright.browser_type",
    "puppeteer.puppeteer_fill",
    "playwright.browser_fill_form",
  ),
  q("press Enter on the keyboard", "playwright.browser_press_key"),
  q(
    "run javascript inside the page",
    "playwright.browser_evaluate",
    "puppeteer.puppeteer_evaluate",
    "playwright.browser_run_code_unsafe",
  ),
  q("attach a file to an upload input in the browser", "playwright.browser_file_upload"),
  q("wait until the Loading text disappears", "playwright.browser_wait_for"),
  q("open another browser tab", "playwright.browser_tabs"),
  q("pick an option from a dropdown menu", "playwright.browser_select_option", "puppeteer.puppeteer_select"),
  q("accept the confirm popup", "playwright.browser_handle_dialog"),
  // Data, web, files, time
  q("run a SQL select against the database", "postgres.query"),
  q("download a web page as markdown", "fetch.fetch"),
  q("stage files for the next commit", "git.git_add"),
  q("commit my changes with a message", "git.git_commit"),
  q("show the commit history", "git.git_log", "github.list_commits", "github_archived.list_commits"),
  q("switch to another branch", "git.git_checkout"),
  q("what did I modify that is not staged yet", "git.git_diff_unstaged", "git.git_status"),
  q("what time is it in Tokyo right now", "time.get_current_time"),
  q("convert 3pm New York time to Berlin time", "time.convert_time"),
  // Notion
  q("create a new page in Notion", "notion.API_post_page"),
  q("leave a comment on a Notion page", "notion.API_create_a_comment"),
  q("query a Notion database with a filter", "notion.API_query_data_source", "notion.API_retrieve_a_database"),
  q(
    "append paragraphs at the end of a Notion page",
    "notion.API_patch_block_children",
    "notion.API_update_page_markdown",
  ),
  // Others
  q("think step by step through a hard problem", "sequential_thinking.sequentialthinking"),
  q("add two numbers", "everything.get_sum"),
  q("show the environment variables", "everything.get_env"),
];
